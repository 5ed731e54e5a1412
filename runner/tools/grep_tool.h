// `grep`: lines matching an RE2 regular expression in the regular files under
// `path` (or in the one file it names), as `path:line:text` with
// workspace-relative paths, in sorted path order. Skips .git, symlinks,
// binary files and files over Context::max_file_bytes; `glob` narrows the
// files (a pattern without '/' matches file names). A file with a match goes
// through Context::filter and the lines are matched again in the filtered
// text, so a redacted secret never comes back; a blocked file is reported as
// skipped. At most max_results lines and max_result_bytes, then a note.
#pragma once

#include "tools/tool.h"

namespace droid::runner::tools {

class GrepTool : public Tool {
 public:
  explicit GrepTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Read; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
