// `list`: a directory's entries, sorted, depth-first down to `depth` levels,
// paths relative to the listed directory, directories with a trailing '/',
// symlinks as "name -> target" (never entered); `.git` is skipped. At most
// kMaxEntries entries, then a note.
#pragma once

#include <cstddef>

#include "tools/tool.h"

namespace droid::runner::tools {

class ListTool : public Tool {
 public:
  static constexpr std::size_t kMaxEntries = 1000;

  explicit ListTool(Context context);

  const llm::ToolDefinition& definition() const override { return definition_; }
  Access access() const override { return Access::Read; }
  Result run(const nlohmann::json& arguments) override;

 private:
  Context context_;
  llm::ToolDefinition definition_;
};

}  // namespace droid::runner::tools
