// What every tool shares: ToolError (a failed call, with a message telling the
// model what to change), guard() turning any exception into an error Result
// and capping the content, filter() applying the context's content filter, and
// refuse_git_directory() for the tools that change files.
//
//   Result run(const json& args) override {
//     return guard(context_, [&] { ... throw ToolError("path: ..."); ... });
//   }
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tools/tool.h"
#include "tools/workspace_path.h"

namespace droid::runner::tools {

class ToolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Result error_result(std::string message);

// Runs `body`; a ToolError becomes its message, any other exception "internal
// error: ...", both with is_error. The content is then cut at
// context.max_result_bytes (truncate_for_model).
Result guard(const Context& context, const std::function<Result()>& body);

// ToolError when `path` lies in a .git directory (any depth): write and edit
// leave a repository's internals (hooks, config) to git itself.
void refuse_git_directory(const WorkspacePath& path, const std::string& argument);

// The context's filter over a file's content (`path` is workspace-relative);
// without a filter the content passes unchanged.
Filtered filter(const Context& context, std::string_view path, std::string_view content);

}  // namespace droid::runner::tools
