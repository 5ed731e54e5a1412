#include "tools/testing/workspace.h"

#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace droid::runner::tools::testing {

namespace fs = std::filesystem;

TempWorkspace::TempWorkspace() {
  std::string tmpl = fs::temp_directory_path().string() + "/droid-tools-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  workspace_ = root_ + "/workspace";
  outside_ = root_ + "/outside";
  fs::create_directory(workspace_);
  fs::create_directory(outside_);
}

TempWorkspace::~TempWorkspace() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void TempWorkspace::write(const std::string& relative, const std::string& content) const {
  fs::path p = fs::path(workspace_) / relative;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::string TempWorkspace::read(const std::string& relative) const {
  std::ifstream in(fs::path(workspace_) / relative, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool TempWorkspace::exists(const std::string& relative) const {
  std::error_code ec;
  return fs::exists(fs::symlink_status(fs::path(workspace_) / relative, ec));
}

void TempWorkspace::mkdir(const std::string& relative) const {
  fs::create_directories(fs::path(workspace_) / relative);
}

void TempWorkspace::symlink(const std::string& target, const std::string& relative) const {
  fs::path p = fs::path(workspace_) / relative;
  fs::create_directories(p.parent_path());
  fs::create_symlink(target, p);
}

Context TempWorkspace::context() const {
  Context c;
  c.workspace = workspace_;
  c.shell.timeout = std::chrono::seconds(30);
  c.shell.kill_grace = std::chrono::milliseconds(200);
  return c;
}

}  // namespace droid::runner::tools::testing

namespace droid::runner::tools::testing {

Filtered test_filter(std::string_view /*path*/, std::string_view content) {
  if (content.find("BLOCKME") != std::string_view::npos) return Filtered{true, "", "test rule: blocked"};
  std::string text(content);
  for (std::size_t at = text.find("SECRET123"); at != std::string::npos; at = text.find("SECRET123", at)) {
    text.replace(at, 9, "[REDACTED]");
  }
  return Filtered{false, text, ""};
}

}  // namespace droid::runner::tools::testing
