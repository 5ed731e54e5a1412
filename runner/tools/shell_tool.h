// `shell`: runs `/bin/bash -c COMMAND` in the sandbox (sandbox/sandbox.h),
// with Context::shell as the template: argv and the workspace are set per
// call, `timeout_seconds` may shorten (never extend) the template's timeout.
// The content gives the exit code, stdout and stderr (labelled; long output
// keeps its head and tail), and notes on truncation and timeout; is_error
// when the exit code is not 0.
#pragma once

#include "tools/tool.h"

namespace droid::runner::tools {

class ShellTool : public Tool {
 public:
  explicit ShellTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Execute; }
  std::optional<std::string> command(const nlohmann::json& arguments) const override;
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
