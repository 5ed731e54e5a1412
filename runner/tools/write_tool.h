// `write`: creates or replaces a file with the given content, creating its
// parent directories inside the workspace; atomic (temp file + rename). The
// new content goes through Context::filter first: a blocked content, or one
// the filter would redact (it holds a secret), is refused and nothing is
// written; a redacted text is never written in place of the real one.
#pragma once

#include "tools/tool.h"

namespace droid::runner::tools {

class WriteTool : public Tool {
 public:
  explicit WriteTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Write; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
