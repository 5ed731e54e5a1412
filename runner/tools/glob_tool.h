// `glob`: the workspace paths matching a glob pattern (glob_match.h: *, ?,
// [...], ** for any number of directories). The pattern is matched against
// each path relative to `path` and against its workspace-relative path;
// results are workspace-relative, sorted, directories with a trailing '/'.
// .git is skipped, symlinked directories are not entered; at most kMaxResults.
#pragma once

#include <cstddef>

#include "tools/tool.h"

namespace droid::runner::tools {

class GlobTool : public Tool {
 public:
  static constexpr std::size_t kMaxResults = 1000;

  explicit GlobTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Read; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
