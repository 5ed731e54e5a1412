// Runs a command hook: `/bin/sh -c COMMAND` in the tool sandbox (sandbox.h),
// built from a template Spec with the workspace as cwd and the only writable
// tree, the hook's input JSON on stdin, $FACTORY_PROJECT_DIR and
// $CLAUDE_PROJECT_DIR set to the workspace, and the hook's timeout. A timeout
// or a sandbox that cannot be set up is a failed hook; otherwise the exit
// code and output are read by parse_command_result (hook_output.h).
#pragma once

#include <chrono>
#include <string>

#include "hooks/event.h"
#include "hooks/hook_output.h"
#include "sandbox/sandbox.h"

namespace droid::runner::hooks {

HookResult run_command_hook(Event event, const std::string& command, const std::string& input_json,
                            const sandbox::Spec& sandbox_template, const std::string& workspace,
                            std::chrono::milliseconds timeout);

}  // namespace droid::runner::hooks
