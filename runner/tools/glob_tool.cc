#include "tools/glob_tool.h"

#include <algorithm>
#include <system_error>
#include <utility>
#include <vector>

#include "tools/arguments.h"
#include "tools/glob_match.h"
#include "tools/support.h"
#include "tools/tree_walk.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxDepth = 64;

bool has_dotdot(std::string_view pattern) {
  std::size_t start = 0;
  while (start <= pattern.size()) {
    std::size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    if (pattern.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

GlobTool::GlobTool(Context context) : context_(std::move(context)) {
  definition_.name = "glob";
  definition_.description =
      "Find files and directories of the workspace by name pattern: '*' matches within one path segment, "
      "'?' one character, '[a-z]' a set, '**' any number of directories (e.g. '**/*.cc', 'src/**/test_*.py'). "
      "Returns workspace-relative paths, sorted, directories ending in '/'; .git is skipped; at most 1000.";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"pattern", {{"type", "string"}, {"description", "The glob pattern, relative to `path`."}}},
        {"path",
         {{"type", "string"},
          {"description", "The directory to search, relative to the workspace; default the workspace."}}}}},
      {"required", {"pattern"}},
      {"additionalProperties", false}};
}

Result GlobTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    std::string pattern = args.string("pattern");
    if (pattern.empty()) throw ToolError("pattern: is empty; give a pattern such as **/*.cc");
    if (pattern.front() == '/') {
      throw ToolError("pattern: is absolute; give a pattern relative to the workspace, such as src/**/*.cc");
    }
    if (has_dotdot(pattern))
      throw ToolError("pattern: '..' cannot leave the workspace; use path to choose where to search");
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path", "."));
    std::error_code ec;
    if (!fs::is_directory(path.real, ec)) throw ToolError("path: " + path.relative + " is not a directory");
    std::string prefix = path.relative == "." ? "" : path.relative + "/";

    std::vector<std::string> matches;
    bool stopped = false;
    const WalkEnd end = walk_tree(
        path.real, kMaxDepth,
        [&](const WalkEntry& e) {
          std::string workspace_relative = prefix + e.relative;
          if (!glob_match(pattern, e.relative) && !glob_match(pattern, workspace_relative)) return true;
          if (matches.size() == kMaxResults) {
            stopped = true;
            return false;
          }
          if (e.type == fs::file_type::directory) workspace_relative += '/';
          matches.push_back(std::move(workspace_relative));
          return true;
        },
        context_.max_walk_entries);
    const bool cut = end == WalkEnd::EntryLimit;
    std::sort(matches.begin(), matches.end());

    Result r;
    for (const std::string& m : matches) r.content += m + "\n";
    if (matches.empty()) r.content = "[no path under " + path.relative + " matches " + pattern + "]";
    if (stopped) {
      r.content += "[stopped at " + std::to_string(kMaxResults) + " matches; use a narrower pattern or path]";
    }
    if (cut) {
      r.content += "[searched only the first " + std::to_string(context_.max_walk_entries) + " entries under " +
                   path.relative + "; give a narrower path]";
    }
    r.audit = {
        {"path", path.relative}, {"pattern", pattern}, {"matches", matches.size()}, {"truncated", stopped || cut}};
    return r;
  });
}

}  // namespace droid::runner::tools
