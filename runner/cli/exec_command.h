// `droid-runner exec`: one agent session on the local machine, like `droid exec`.
//   exec [--auto off|low|medium|high] [--model M] [--gateway URL] [--provider openai|anthropic]
//        [--api-key-file FILE | --no-api-key] [--ca-file FILE] [--client-cert FILE --client-key FILE]
//        [--connect-timeout S] [--idle-timeout S] [--total-timeout S]
//        [--settings FILE]... [--workspace DIR] [--max-turns N] [--max-tokens N]
//        [--timeout SECONDS] [--command-timeout SECONDS] [--network none|gateway]
//        [--reasoning-effort E] [--stream] [--output-format text|json]
//        [--audit-log FILE|-] [--otlp-endpoint URL] (PROMPT | --prompt-file FILE | -)
// Settings: each --settings file is one org-level layer, highest first; the
// workspace's .factory/settings.json is the project level. The model and the
// autonomy default to sessionDefaults and must be permitted by the settings.
// The API key comes from --api-key-file, else $DROID_API_KEY, else
// $OPENAI_API_KEY / $ANTHROPIC_API_KEY by provider; without any, exec refuses
// to start unless --no-api-key says the gateway needs none. There is no approval
// channel: a command that needs approval is refused and the model is told.
// Output: the model's final answer on stdout (text), or one JSON object
// {outcome, reason, message, summary, usage, traceId} (json); the audit log as
// JSON lines on stderr unless --audit-log says otherwise. Exit code: 0 when the
// session succeeded, 1 when it ended otherwise, 2 for usage and input errors.
#pragma once

#include <string>
#include <vector>

namespace droid::runner {

int exec_command(const std::vector<std::string>& args);

}  // namespace droid::runner
