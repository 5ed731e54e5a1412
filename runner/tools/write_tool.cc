#include "tools/write_tool.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

#include "tools/arguments.h"
#include "tools/file_io.h"
#include "tools/support.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {

using nlohmann::json;

WriteTool::WriteTool(Context context) : context_(std::move(context)) {
  definition_.name = "write";
  definition_.description =
      "Create a file, or replace a file's whole content, in the workspace. Missing parent directories are "
      "created. To change part of an existing file, prefer edit. Content holding a secret is refused.";
  definition_.parameters = {{"type", "object"},
                            {"properties",
                             {{"path", {{"type", "string"}, {"description", "The file, relative to the workspace."}}},
                              {"content", {{"type", "string"}, {"description", "The file's complete new content."}}}}},
                            {"required", {"path", "content"}},
                            {"additionalProperties", false}};
}

Result WriteTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path"));
    refuse_git_directory(path, "path");
    std::string content = args.string("content");
    if (path.relative == ".") throw ToolError("path: names the workspace itself; give a file path");

    Filtered filtered = filter(context_, path.relative, content);
    if (filtered.blocked) throw ToolError("content: writing " + path.relative + " is blocked: " + filtered.reason);
    if (filtered.text != content) {
      throw ToolError("content: holds a secret" + (filtered.reason.empty() ? "" : " (" + filtered.reason + ")") +
                      "; nothing was written. Do not write secrets into files: read them at run time from the "
                      "environment or a secret store instead");
    }

    struct stat st {};
    bool existed = lstat(path.real.c_str(), &st) == 0;
    write_file_atomic(path, "path", content);

    Result r;
    auto lines = static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
    if (!content.empty() && content.back() != '\n') ++lines;
    r.content = (existed ? "Replaced " : "Created ") + path.relative + " (" + std::to_string(content.size()) +
                " bytes, " + std::to_string(lines) + " lines)";
    r.audit = {{"path", path.relative}, {"bytes", content.size()}, {"created", !existed}};
    return r;
  });
}

}  // namespace droid::runner::tools
