#include "tools/edit_tool.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "tools/arguments.h"
#include "tools/file_io.h"
#include "tools/support.h"
#include "tools/text.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

std::size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::string replace(std::string_view text, std::string_view from, std::string_view to, bool all) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  for (std::size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    out.append(text.substr(start, at - start));
    out.append(to);
    start = at + from.size();
    if (!all) break;
  }
  out.append(text.substr(start));
  return out;
}

}  // namespace

EditTool::EditTool(Context context) : context_(std::move(context)) {
  definition_.name = "edit";
  definition_.description =
      "Replace an exact string in a file of the workspace. old_string must match the file exactly, "
      "whitespace and indentation included, and occur exactly once (include surrounding lines to make it "
      "unique) unless replace_all is true. Read the file first. To create a file, use write.";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}, {"description", "The file, relative to the workspace."}}},
        {"old_string", {{"type", "string"}, {"description", "The exact text to replace."}}},
        {"new_string", {{"type", "string"}, {"description", "The text to put in its place."}}},
        {"replace_all",
         {{"type", "boolean"}, {"description", "Replace every occurrence instead of exactly one; default false."}}}}},
      {"required", {"path", "old_string", "new_string"}},
      {"additionalProperties", false}};
}

Result EditTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path"));
    refuse_git_directory(path, "path");
    std::string old_string = args.string("old_string");
    std::string new_string = args.string("new_string");
    bool replace_all = args.boolean("replace_all", false);
    if (old_string.empty()) {
      throw ToolError("old_string: is empty; give the exact text to replace (to create a file, use write)");
    }
    if (old_string == new_string) throw ToolError("new_string: is the same as old_string; nothing to change");

    struct stat st {};
    if (lstat(path.real.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      throw ToolError("path: " + path.relative + " does not exist; to create a file, use write");
    }
    std::string content = read_regular_file(path, "path", context_.max_file_bytes);
    if (looks_binary(content)) throw ToolError("path: " + path.relative + " is a binary file; only text can be edited");

    Filtered current = filter(context_, path.relative, content);
    if (current.blocked) throw ToolError("path: editing " + path.relative + " is blocked: " + current.reason);
    Filtered incoming = filter(context_, path.relative, new_string);
    if (incoming.blocked) throw ToolError("new_string: is blocked: " + incoming.reason);
    if (incoming.text != new_string) {
      throw ToolError("new_string: holds a secret" + (incoming.reason.empty() ? "" : " (" + incoming.reason + ")") +
                      "; nothing was changed. Do not write secrets into files: read them at run time from the "
                      "environment or a secret store instead");
    }

    std::size_t count = count_occurrences(content, old_string);
    if (count == 0) {
      throw ToolError("old_string: was not found in " + path.relative +
                      "; it must match the file exactly, whitespace and indentation included. Read the file "
                      "again to see its current content");
    }
    if (count > 1 && !replace_all) {
      throw ToolError("old_string: occurs " + std::to_string(count) + " times in " + path.relative +
                      "; include more surrounding lines to make it unique, or set replace_all to true to replace "
                      "every occurrence");
    }
    std::size_t first = content.find(old_string);
    auto line = 1 + static_cast<std::size_t>(
                        std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(first), '\n'));
    std::string updated = replace(content, old_string, new_string, replace_all);
    write_file_atomic(path, "path", updated);

    std::size_t replaced = replace_all ? count : 1;
    Result r;
    r.content = "Edited " + path.relative + ": replaced " + std::to_string(replaced) +
                (replaced == 1 ? " occurrence" : " occurrences") + ", the first at line " + std::to_string(line);
    r.audit = {{"path", path.relative},
               {"replacements", replaced},
               {"bytes_before", content.size()},
               {"bytes_after", updated.size()}};
    return r;
  });
}

}  // namespace droid::runner::tools
