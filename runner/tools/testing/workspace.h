// Test support: a fresh temporary workspace directory (removed afterwards)
// beside an "outside" directory, with helpers to make files and symlinks and
// a Context over it.
#pragma once

#include <string>
#include <string_view>

#include "tools/tool.h"

namespace droid::runner::tools::testing {

class TempWorkspace {
 public:
  TempWorkspace();
  ~TempWorkspace();
  TempWorkspace(const TempWorkspace&) = delete;
  TempWorkspace& operator=(const TempWorkspace&) = delete;

  const std::string& root() const { return root_; }        // holds workspace/ and outside/
  const std::string& path() const { return workspace_; }   // the workspace
  const std::string& outside() const { return outside_; }  // a directory beside it

  // Writes `content` to workspace-relative `relative`, creating directories.
  void write(const std::string& relative, const std::string& content) const;
  std::string read(const std::string& relative) const;
  bool exists(const std::string& relative) const;
  void mkdir(const std::string& relative) const;
  void symlink(const std::string& target, const std::string& relative) const;

  Context context() const;

 private:
  std::string root_;
  std::string workspace_;
  std::string outside_;
};

}  // namespace droid::runner::tools::testing

namespace droid::runner::tools::testing {

// A stand-in for the shield: a content holding "BLOCKME" is blocked with
// reason "test rule: blocked", "SECRET123" is redacted to "[REDACTED]".
Filtered test_filter(std::string_view path, std::string_view content);

}  // namespace droid::runner::tools::testing
