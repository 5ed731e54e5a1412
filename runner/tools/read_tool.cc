#include "tools/read_tool.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "tools/arguments.h"
#include "tools/file_io.h"
#include "tools/support.h"
#include "tools/text.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultLimit = 2000;
constexpr std::size_t kMaxLineBytes = 2000;
constexpr std::size_t kNoteRoom = 200;  // kept free for the closing note

std::string numbered(std::size_t number, std::string_view line) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%6zu\t", number);
  std::string out(prefix);
  out += cut_line(line, kMaxLineBytes);
  out += '\n';
  return out;
}

}  // namespace

ReadTool::ReadTool(Context context) : context_(std::move(context)) {
  definition_.name = "read";
  definition_.description =
      "Read a text file of the workspace. Returns its lines numbered like `cat -n` (number, tab, text). "
      "Reads up to 2000 lines from `offset`; for a longer file, call again with a later offset. "
      "Directories (use list), binary files and very large files (use grep) are refused.";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"path", {{"type", "string"}, {"description", "The file, relative to the workspace."}}},
        {"offset",
         {{"type", "integer"}, {"minimum", 1}, {"description", "First line to return (1-based); default 1."}}},
        {"limit", {{"type", "integer"}, {"minimum", 1}, {"description", "Most lines to return; default 2000."}}}}},
      {"required", {"path"}},
      {"additionalProperties", false}};
}

Result ReadTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path"));
    std::string raw = read_regular_file(path, "path", context_.max_file_bytes);
    if (looks_binary(raw)) {
      throw ToolError("path: " + path.relative + " is a binary file (it has NUL bytes); only text files can be read");
    }
    Filtered filtered = filter(context_, path.relative, raw);
    if (filtered.blocked) throw ToolError("path: reading " + path.relative + " is blocked: " + filtered.reason);

    Result r;
    r.audit = {{"path", path.relative}, {"bytes", raw.size()}, {"redacted", filtered.text != raw}};
    std::vector<std::string_view> lines = split_lines(filtered.text);
    auto offset = static_cast<std::size_t>(args.integer("offset", 1));
    auto limit = static_cast<std::size_t>(args.integer("limit", kDefaultLimit));
    if (lines.empty()) {
      r.content = "[" + path.relative + " is empty]";
      r.audit["lines"] = 0;
      return r;
    }
    if (offset > lines.size()) {
      throw ToolError("offset: " + std::to_string(offset) + " is past the end of " + path.relative + " (" +
                      std::to_string(lines.size()) + " lines)");
    }
    std::size_t budget = context_.max_result_bytes > 2 * kNoteRoom ? context_.max_result_bytes - kNoteRoom
                                                                   : context_.max_result_bytes / 2;
    std::size_t end = std::min(lines.size(), offset - 1 + std::min(limit, lines.size()));
    std::size_t i = offset - 1;
    for (; i < end; ++i) {
      std::string line = numbered(i + 1, lines[i]);
      if (i > offset - 1 && r.content.size() + line.size() > budget) break;
      r.content += line;
    }
    if (i < lines.size()) {
      r.content += "[lines " + std::to_string(offset) + "-" + std::to_string(i) + " of " +
                   std::to_string(lines.size()) + "; to read on, call read with offset=" + std::to_string(i + 1) + "]";
    }
    r.audit["lines"] = i - (offset - 1);
    r.audit["first_line"] = offset;
    r.audit["total_lines"] = lines.size();
    return r;
  });
}

}  // namespace droid::runner::tools
