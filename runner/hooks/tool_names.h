// The names a hook matcher sees for a tool: ours (shell, read, write, edit,
// list, glob, grep) and the Claude Code / Factory names of the same tool, so
// that settings written for either ("Bash", "Execute", "Write|Edit"...) work
// unchanged. An unknown name (an MCP tool, say) is only itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::hooks {

// `tool` first, then its aliases; the same set whichever of them `tool` is.
std::vector<std::string> tool_names(std::string_view tool);

}  // namespace droid::runner::hooks
