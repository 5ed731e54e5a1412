#include "tools/tree_walk.h"

#include <algorithm>
#include <system_error>
#include <utility>
#include <vector>

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

// Returns false when the visitor stopped the walk.
bool walk_dir(const fs::path& dir, const std::string& prefix, int depth, int max_depth,
              const std::function<bool(const WalkEntry&)>& visit) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return true;
  std::vector<std::pair<std::string, fs::file_type>> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (name == ".git") continue;
    std::error_code type_ec;
    fs::file_type type = it->symlink_status(type_ec).type();
    entries.emplace_back(std::move(name), type_ec ? fs::file_type::unknown : type);
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [name, type] : entries) {
    WalkEntry entry{dir / name, prefix + name, type, depth};
    if (!visit(entry)) return false;
    if (type == fs::file_type::directory && depth < max_depth) {
      if (!walk_dir(entry.real, entry.relative + "/", depth + 1, max_depth, visit)) return false;
    }
  }
  return true;
}

}  // namespace

void walk_tree(const fs::path& root, int max_depth, const std::function<bool(const WalkEntry&)>& visit) {
  walk_dir(root, "", 1, max_depth, visit);
}

}  // namespace droid::runner::tools
