// Captured output with a byte limit: the first `limit` bytes are kept, the
// rest is counted and dropped, so that the reader can keep draining a pipe
// (the command never blocks on a full pipe) without holding unbounded output.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace droid::runner::sandbox {

class CappedBuffer {
 public:
  explicit CappedBuffer(std::size_t limit) : limit_(limit) {}

  void append(const char* data, std::size_t size);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }
  bool truncated() const { return total_ > limit_; }
  // Every byte received, kept or not.
  std::size_t total() const { return total_; }

 private:
  std::size_t limit_;
  std::size_t total_ = 0;
  std::string text_;
};

}  // namespace droid::runner::sandbox
