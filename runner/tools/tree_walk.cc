#include "tools/tree_walk.h"

#include <algorithm>
#include <system_error>
#include <utility>
#include <vector>

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

struct Walk {
  int max_depth;
  std::size_t budget;  // directory entries left to read
  const std::function<bool(const WalkEntry&)>& visit;
  WalkEnd end = WalkEnd::Complete;
};

// Returns false when the walk ends here (the visitor stopped it or the budget ran out).
bool walk_dir(const fs::path& dir, const std::string& prefix, int depth, Walk& w) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return true;
  std::vector<std::pair<std::string, fs::file_type>> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (w.budget == 0) {
      w.end = WalkEnd::EntryLimit;
      break;
    }
    --w.budget;
    std::string name = it->path().filename().string();
    if (name == ".git") continue;
    std::error_code type_ec;
    fs::file_type type = it->symlink_status(type_ec).type();
    entries.emplace_back(std::move(name), type_ec ? fs::file_type::unknown : type);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [name, type] : entries) {
    WalkEntry entry{dir / name, prefix + name, type, depth};
    if (!w.visit(entry)) {
      w.end = WalkEnd::Stopped;
      return false;
    }
    if (type == fs::file_type::directory && depth < w.max_depth) {
      if (!walk_dir(entry.real, entry.relative + "/", depth + 1, w)) return false;
    }
  }
  return w.end == WalkEnd::Complete;
}

}  // namespace

WalkEnd walk_tree(const fs::path& root, int max_depth, const std::function<bool(const WalkEntry&)>& visit,
                  std::size_t max_entries) {
  Walk w{max_depth, max_entries, visit};
  walk_dir(root, "", 1, w);
  return w.end;
}

}  // namespace droid::runner::tools
