// `edit`: replaces an exact string in a file: once (old_string must occur
// exactly once) or everywhere with replace_all. Errors say what to change: a
// missing file, an empty old_string, old_string == new_string, old_string not
// found (re-read the file), found N times (add context or replace_all). The
// current content goes through Context::filter (blocked: refused), so does
// new_string (blocked or holding a secret: refused). The write is atomic and
// keeps the file's mode.
#pragma once

#include "tools/tool.h"

namespace droid::runner::tools {

class EditTool : public Tool {
 public:
  explicit EditTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Write; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
