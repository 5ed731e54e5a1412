#include "sandbox/output_limit.h"

#include <algorithm>

namespace droid::runner::sandbox {

void CappedBuffer::append(const char* data, std::size_t size) {
  total_ += size;
  if (text_.size() >= limit_) return;
  text_.append(data, std::min(size, limit_ - text_.size()));
}

}  // namespace droid::runner::sandbox
