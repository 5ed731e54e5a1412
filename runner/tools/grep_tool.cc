#include "tools/grep_tool.h"

#include <re2/re2.h>

#include <system_error>
#include <utility>
#include <vector>

#include "tools/arguments.h"
#include "tools/file_io.h"
#include "tools/glob_match.h"
#include "tools/support.h"
#include "tools/text.h"
#include "tools/tree_walk.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kMaxDepth = 64;
constexpr std::int64_t kDefaultResults = 100;
constexpr std::size_t kMaxLineBytes = 500;
constexpr std::size_t kNoteRoom = 300;

struct Search {
  const RE2* line_re = nullptr;
  const RE2* file_re = nullptr;  // the whole file at once, multi-line; a cheap first test
  std::size_t max_results = 0;
  std::size_t budget = 0;

  std::string out;
  std::size_t matches = 0;
  std::size_t files_searched = 0;
  std::size_t files_matched = 0;
  std::size_t skipped_binary = 0;
  std::size_t skipped_large = 0;
  std::size_t blocked = 0;
  std::size_t bytes_left = 0;  // content still allowed to be read (Context::max_search_bytes)
  bool stopped = false;
  bool out_of_bytes = false;
};

// Returns false when the search is full.
bool search_file(const Context& context, const WorkspacePath& file, Search& s) {
  std::string content;
  try {
    content = read_regular_file(file, "path", context.max_file_bytes);
  } catch (const ToolError&) {
    ++s.skipped_large;  // over the limit, or vanished/unreadable since the walk
    return true;
  }
  if (content.size() > s.bytes_left) {
    s.out_of_bytes = true;
    return false;
  }
  s.bytes_left -= content.size();
  ++s.files_searched;
  if (looks_binary(content)) {
    ++s.skipped_binary;
    return true;
  }
  if (!RE2::PartialMatch(content, *s.file_re)) return true;
  Filtered filtered = filter(context, file.relative, content);
  if (filtered.blocked) {
    ++s.blocked;
    s.out += file.relative + ": [not searched: " + filtered.reason + "]\n";
    return true;
  }
  std::vector<std::string_view> lines = split_lines(filtered.text);
  bool any = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!RE2::PartialMatch(lines[i], *s.line_re)) continue;
    std::string line = file.relative + ":" + std::to_string(i + 1) + ":" + cut_line(lines[i], kMaxLineBytes) + "\n";
    if (s.matches == s.max_results || s.out.size() + line.size() > s.budget) {
      s.stopped = true;
      return false;
    }
    s.out += line;
    ++s.matches;
    any = true;
  }
  if (any) ++s.files_matched;
  return true;
}

bool glob_accepts(const std::string& glob, const std::string& relative_to_path, const std::string& workspace_relative) {
  if (glob.empty()) return true;
  if (glob.find('/') == std::string::npos) {
    std::size_t slash = workspace_relative.rfind('/');
    return glob_match(glob, slash == std::string::npos ? workspace_relative : workspace_relative.substr(slash + 1));
  }
  return glob_match(glob, relative_to_path) || glob_match(glob, workspace_relative);
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

GrepTool::GrepTool(Context context) : context_(std::move(context)) {
  definition_.name = "grep";
  definition_.description =
      "Search the text files of the workspace for lines matching a regular expression (RE2 syntax, like "
      "Perl/PCRE without backreferences or lookaround). Returns 'path:line:text' lines, workspace-relative "
      "paths in sorted order. Skips .git, binary and very large files.";
  definition_.parameters = {
      {"type", "object"},
      {"properties",
       {{"pattern", {{"type", "string"}, {"description", "The regular expression (RE2 syntax)."}}},
        {"path",
         {{"type", "string"},
          {"description", "A directory to search, or one file, relative to the workspace; default the workspace."}}},
        {"glob",
         {{"type", "string"},
          {"description",
           "Only files matching this glob, e.g. '*.cc' (a pattern without '/' matches file names) or 'src/**/*.h'."}}},
        {"ignore_case", {{"type", "boolean"}, {"description", "Match case-insensitively; default false."}}},
        {"max_results",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", 1000},
          {"description", "Most matching lines to return; default 100."}}}}},
      {"required", {"pattern"}},
      {"additionalProperties", false}};
}

Result GrepTool::run(const json& arguments) {
  return guard(context_, [&] {
    Arguments args(arguments, definition_.parameters);
    std::string pattern = args.string("pattern");
    if (pattern.empty()) throw ToolError("pattern: is empty; give a regular expression");
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!args.boolean("ignore_case", false));
    RE2 line_re(pattern, options);
    if (!line_re.ok()) throw ToolError("pattern: not a valid RE2 regular expression: " + line_re.error());
    // Any line match is also a match of the multi-line form in the whole
    // file, except with \A or \z, which then match at every line.
    bool whole_file_test = pattern.find("\\A") == std::string::npos && pattern.find("\\z") == std::string::npos;
    RE2 file_re(whole_file_test ? "(?m)" + pattern : std::string(""), options);
    if (!file_re.ok()) throw ToolError("pattern: not a valid RE2 regular expression: " + file_re.error());
    std::string glob = args.string("glob", "");
    WorkspacePath path = resolve_in_workspace(context_.workspace, "path", args.string("path", "."));

    Search s;
    s.line_re = &line_re;
    s.file_re = &file_re;
    s.max_results = static_cast<std::size_t>(args.integer("max_results", kDefaultResults));
    s.bytes_left = context_.max_search_bytes;
    s.budget = context_.max_result_bytes > 2 * kNoteRoom ? context_.max_result_bytes - kNoteRoom
                                                         : context_.max_result_bytes / 2;
    std::error_code ec;
    fs::file_status status = fs::status(path.real, ec);
    if (ec || !fs::exists(status)) throw ToolError("path: " + path.relative + " does not exist");
    bool walk_cut = false;
    if (fs::is_directory(status)) {
      fs::path ws_real = real_workspace(context_.workspace);
      const WalkEnd end = walk_tree(
          path.real, kMaxDepth,
          [&](const WalkEntry& e) {
            if (e.type != fs::file_type::regular) return true;
            std::string relative = workspace_relative(ws_real, e.real);
            if (!glob_accepts(glob, e.relative, relative)) return true;
            return search_file(context_, WorkspacePath{e.real, relative}, s);
          },
          context_.max_walk_entries);
      walk_cut = end == WalkEnd::EntryLimit;
    } else if (fs::is_regular_file(status)) {
      search_file(context_, path, s);
    } else {
      throw ToolError("path: " + path.relative + " is not a file or directory");
    }

    Result r;
    r.content = std::move(s.out);
    if (s.matches == 0 && s.blocked == 0) r.content = "[no line matches under " + path.relative + "]\n";
    if (s.stopped) {
      r.content += "[stopped at " + plural(s.matches, "match", "matches") +
                   "; narrow the pattern, path or glob, or raise max_results]\n";
    }
    if (walk_cut || s.out_of_bytes) {
      r.content += walk_cut ? "[searched only the first " + std::to_string(context_.max_walk_entries) +
                                  " entries under " + path.relative + "; give a narrower path or glob]\n"
                            : "[stopped after reading " + std::to_string(context_.max_search_bytes) +
                                  " bytes of files; give a narrower path or glob]\n";
    }
    std::vector<std::string> skipped;
    if (s.skipped_binary > 0) skipped.push_back(plural(s.skipped_binary, "binary file", "binary files"));
    if (s.skipped_large > 0) {
      skipped.push_back(plural(s.skipped_large, "file", "files") + " over " + std::to_string(context_.max_file_bytes) +
                        " bytes or unreadable");
    }
    if (!skipped.empty()) {
      r.content += "[skipped " + skipped[0] + (skipped.size() > 1 ? ", " + skipped[1] : "") + "]\n";
    }
    r.audit = {{"path", path.relative},
               {"matches", s.matches},
               {"files_searched", s.files_searched},
               {"files_matched", s.files_matched},
               {"files_blocked", s.blocked},
               {"skipped_binary", s.skipped_binary},
               {"skipped_large", s.skipped_large},
               {"truncated", s.stopped || walk_cut || s.out_of_bytes}};
    return r;
  });
}

}  // namespace droid::runner::tools
