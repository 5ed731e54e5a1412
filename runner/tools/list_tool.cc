#include "tools/list_tool.h"

#include <system_error>
#include <utility>

#include "tools/arguments.h"
#include "tools/support.h"
#include "tools/tree_walk.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {

namespace fs = std::filesystem;
using nlohmann::json;

ListTool::ListTool(Context context) : context_(std::move(context)) {
  definition_.name = "list";
  definition_.description =
      "List a directory of the workspace: entries sorted by name, directories ending in '/', symlinks as "
      "'name -> target'. With depth > 1, subdirectories are listed too (paths relative to the listed "
      "directory). .git is skipped; at most 1000 entries.";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"path",
         {{"type", "string"}, {"description", "The directory, relative to the workspace; default the workspace."}}},
        {"depth",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 20},
          {"description", "How many levels to list; default 1 (the directory's own entries)."}}}}},
      {"additionalProperties", false}};
}

Result ListTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path", "."));
    std::error_code ec;
    fs::file_status status = fs::status(path.real, ec);
    if (ec || !fs::exists(status)) throw ToolError("path: " + path.relative + " does not exist");
    if (!fs::is_directory(status)) throw ToolError("path: " + path.relative + " is a file; use read to see it");
    auto depth = static_cast<int>(args.integer("depth", 1));

    Result r;
    std::size_t count = 0;
    bool stopped = false;
    const WalkEnd end = walk_tree(
        path.real, depth,
        [&](const WalkEntry& e) {
          if (count == kMaxEntries) {
            stopped = true;
            return false;
          }
          ++count;
          r.content += e.relative;
          if (e.type == fs::file_type::directory) {
            r.content += '/';
          } else if (e.type == fs::file_type::symlink) {
            std::error_code link_ec;
            fs::path target = fs::read_symlink(e.real, link_ec);
            if (!link_ec) r.content += " -> " + target.string();
          }
          r.content += '\n';
          return true;
        },
        context_.max_walk_entries);
    if (count == 0) r.content = "[" + path.relative + " is empty]";
    if (end == WalkEnd::EntryLimit) {
      stopped = true;
      r.content += "[listing stopped after reading " + std::to_string(context_.max_walk_entries) +
                   " directory entries; list a subdirectory or use a smaller depth]";
    }
    if (stopped) {
      r.content += "[listing stopped at " + std::to_string(kMaxEntries) +
                   " entries; list a subdirectory or use a smaller depth]";
    }
    r.audit = {{"path", path.relative}, {"entries", count}, {"truncated", stopped}};
    return r;
  });
}

}  // namespace droid::runner::tools
