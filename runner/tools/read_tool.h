// `read`: a file's lines, numbered like `cat -n`, from `offset` (1-based) for
// `limit` lines. Refuses directories, binary files (NUL bytes) and files over
// Context::max_file_bytes; the content goes through Context::filter first (a
// blocked file is an error with the filter's reason, else the redacted text
// is shown). Output stops before max_result_bytes with a note saying how to
// read on.
#pragma once

#include "tools/tool.h"

namespace droid::runner::tools {

class ReadTool : public Tool {
 public:
  explicit ReadTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Read; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
