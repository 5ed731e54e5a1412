// A tool call as Claude Code's and Factory's hooks see it (SPEC §6.4): the
// input JSON names the tool and its arguments in their protocol, so that a hook
// written for Claude Code (matcher "Bash", reading .tool_input.command) works
// unchanged; a hook's updatedInput is mapped back to our tool's arguments.
// The mapping, in this one place:
//   shell -> Bash   command; timeout (milliseconds) <- timeout_seconds
//   read  -> Read   file_path <- path; offset, limit
//   write -> Write  file_path <- path; content
//   edit  -> Edit   file_path <- path; old_string, new_string
//   list  -> LS     path; depth
//   glob  -> Glob   pattern; path
//   grep  -> Grep   pattern; path; glob; -i <- ignore_case; head_limit <- max_results
// Paths are absolute in their protocol (the workspace joined with our relative
// path; LS always has one); back, a path inside the workspace is relative again
// and one outside stays as it is (the tool refuses it). Keys without a mapping
// pass unchanged both ways, except Bash's informational "description", which is
// dropped on the way back; a tool without a mapping (an MCP tool) keeps its name
// and input.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace droid::runner::hooks {

struct HookToolCall {
  std::string tool_name;
  nlohmann::json tool_input;
};

// `tool` is our tool's name; `arguments` its arguments (any JSON: left alone if not an object).
HookToolCall to_hook_call(std::string_view tool, const nlohmann::json& arguments, const std::string& workspace);
// A hook's tool_input (its updatedInput) as arguments of our tool `tool`.
nlohmann::json from_hook_input(std::string_view tool, const nlohmann::json& tool_input, const std::string& workspace);

}  // namespace droid::runner::hooks
