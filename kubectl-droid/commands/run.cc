// kubectl droid run: create a session, follow it, print the result, exit with
// its outcome (exit_codes.h).
#include <iostream>

#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "follow.h"
#include "kube/client.h"
#include "manifest.h"
#include "render.h"
#include "yaml.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid run (--prompt TEXT | --prompt-file FILE | -f FILE) [flags]\n"
    "\n"
    "Creates a DroidSession, prints its phase changes and the runner's log (one line per\n"
    "audit record: model calls, tool calls, what the controls refused) as they happen,\n"
    "waits until it ends and prints the result and usage. Exits 0 when it Succeeded;\n"
    "1 Failed, 3 Denied, 4 TimedOut, 5 Cancelled, 6 AwaitingApproval (--no-wait-approval),\n"
    "7 API or kubeconfig error, 8 --wait-timeout elapsed, 2 usage error.\n"
    "\n"
    "Session:\n"
    "  --prompt TEXT             what the droid should do\n"
    "  --prompt-file FILE        the prompt from a file (- : standard input)\n"
    "  -f, --filename FILE       a DroidSession manifest (YAML or JSON; - : standard input)\n"
    "  --repo URL                git repository to work on\n"
    "  --ref REF                 branch, tag or commit (with --repo)\n"
    "  --sub-path DIR            folder of the repository to work in (with --repo)\n"
    "  --repo-secret NAME        Secret with the git credentials (with --repo)\n"
    "  --model NAME              model to use\n"
    "  --reasoning-effort LEVEL  off, low, medium, high\n"
    "  --auto, --autonomy LEVEL  off, low, medium, high\n"
    "  --environment ENV         ci, sandbox (default), local\n"
    "  --timeout DURATION        session timeout (600, 90s, 30m, 2h, 1h30m)\n"
    "  --ttl DURATION            delete the session this long after it finished\n"
    "  --max-turns N             limit on the agent's turns\n"
    "  --push-branch BRANCH      commit and push the changes to this branch\n"
    "  --settings FILE           user-level settings (JSON or YAML, SPEC section 4)\n"
    "  --approve CMD             approve a command up front (repeatable)\n"
    "  --name NAME               session name (default: generated, droid-xxxxx)\n"
    "  --generate-name PREFIX    generated name's prefix\n"
    "  --label KEY=VALUE         label the session (repeatable)\n"
    "\n"
    "Waiting:\n"
    "  --detach                  print the session's name and return at once\n"
    "  --no-logs                 do not stream the runner's log\n"
    "  --raw                     the runner's log as it wrote it (JSON lines), not rendered\n"
    "  --no-wait-approval        exit (code 6) when the session waits for an approval\n"
    "  --wait-timeout DURATION   stop waiting after this long (exit 8; the session goes on)\n"
    "  -o, --output json|yaml    print the final session as JSON or YAML on stdout\n"
    "                            (progress and log then go to stderr)\n";

}  // namespace

int run_command(const Args& args, Io& io) {
  auto specs = session_flag_specs();
  for (const char* b : {"detach", "no-logs", "raw", "no-wait-approval"}) specs.push_back({b, cli::Flags::Bool});
  specs.push_back({"wait-timeout", cli::Flags::Value});
  specs.push_back({"output", cli::Flags::Value});
  const auto flags = parse_command_flags(args, specs, {{'f', "filename"}, {'o', "output"}}, kUsage, io);
  if (!flags) return kExitOk;
  if (!flags->positional().empty())
    throw UsageError("kubectl droid run takes no positional arguments (got \"" + flags->positional().front() +
                     "\"); quote the prompt: --prompt '...'");
  const std::string output = output_format(*flags, false);
  FollowOptions follow;
  follow.logs = !flags->has("no-logs");
  follow.wait_approval = !flags->has("no-wait-approval");
  if (flags->has("wait-timeout"))
    follow.wait_timeout = std::chrono::seconds(parse_duration_seconds(flags->value("wait-timeout"), "wait-timeout"));

  const Context context = resolve_context(*flags, io.env);
  json manifest = session_manifest(*flags, context.namespace_name, flags->has("namespace"), default_file_reader());
  const std::string ns = manifest["metadata"].value("namespace", context.namespace_name);
  Context session_context = context;
  session_context.namespace_name = ns;
  auto client = make_client(session_context);
  const json created = guarded({"create", "droidsessions.droid.dev", ns, manifest["metadata"].value("name", "")},
                               session_context, [&] { return client->create(kube::kDroidSessions, manifest); });
  const std::string name = created["metadata"].value("name", "");
  if (flags->has("detach")) {
    io.out << name << "\n";
    return kExitOk;
  }
  std::ostream& progress = output.empty() ? io.out : io.err;
  progress << "droidsession.droid.dev/" << name << " created in namespace " << ns << "\n";
  progress.flush();
  // The live view in time order: a runner record read through pods/log up to 1.5 s after
  // it was written still comes before a phase change seen meanwhile (time_order.h).
  Output out(progress, progress, flags->has("raw"), std::chrono::milliseconds(1500));
  const FollowResult result = follow_session(*client, session_context, name, follow, out);
  out.drain();
  const json& session = result.session;
  if (output == "json") io.out << session.dump(2) << "\n";
  if (output == "yaml") io.out << to_yaml(session);
  switch (result.end) {
    case FollowResult::End::WaitTimeout:
      io.err << "stopped waiting after --wait-timeout " << flags->value("wait-timeout") << "; session " << name
             << " is still " << session.value("status", json::object()).value("phase", "Pending")
             << " (follow it with: kubectl droid get " << name << " -n " << ns << ")\n";
      return kExitWaitTimeout;
    case FollowResult::End::AwaitingApproval:
      io.err << "session " << name << " waits for an approval; exiting (--no-wait-approval)\n";
      return kExitAwaitingApproval;
    case FollowResult::End::Finished: break;
  }
  const std::string phase = session.value("status", json::object()).value("phase", "");
  if (output.empty()) io.out << "\n" << result_text(session);
  if (phase != "Succeeded") {
    io.err << "session " << name << " ended " << phase;
    if (!ready_reason(session).empty()) io.err << " (" << ready_reason(session) << ")";
    if (!ready_message(session).empty()) io.err << ": " << ready_message(session);
    io.err << "\n";
  }
  return exit_code_for_phase(phase);
}

}  // namespace droid::kubectl
