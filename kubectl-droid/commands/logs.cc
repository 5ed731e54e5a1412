// kubectl droid logs NAME [-f]: the log of a session's runner pod.
#include <iostream>

#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "follow.h"
#include "kube/client.h"
#include "kube/error.h"
#include "kube/stream.h"
#include "kube/watch.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid logs NAME [-f] [--tail N]\n"
    "\n"
    "Prints the log of the session's runner pod (status.podName): the runner's audit\n"
    "records, one line each as a person reads it, and its progress.\n"
    "\n"
    "  -f, --follow   keep streaming until the runner ends (a session without its pod\n"
    "                 yet is waited for, its phase changes shown on stderr)\n"
    "  --tail N       only the last N lines\n"
    "  --raw          the log as the runner wrote it (JSON lines, for tools)\n";

}  // namespace

int logs_command(const Args& args, Io& io) {
  const auto flags =
      parse_command_flags(args, {{"follow", cli::Flags::Bool}, {"raw", cli::Flags::Bool}, {"tail", cli::Flags::Value}},
                          {{'f', "follow"}}, kUsage, io);
  if (!flags) return kExitOk;
  const std::string name = single_name(*flags, "logs");
  const long long tail = flags->integer("tail", -1, 0, 1000000);
  const Context context = resolve_context(*flags, io.env);
  const std::string& ns = context.namespace_name;
  auto client = make_client(context);
  const json session = guarded({"get", "droidsessions.droid.dev", ns, name}, context,
                               [&] { return client->get(kube::kDroidSessions, ns, name); });
  const json status = session.value("status", json::object());
  const std::string pod = status.value("podName", "");
  const std::string phase = status.value("phase", "Pending");
  if (pod.empty() && flags->has("follow") && !is_terminal_phase(phase) && phase != "AwaitingApproval") {
    // Not started yet: follow it as `run` does (phase changes on stderr) until its pod's log ends.
    Output out(io.err, io.out, flags->has("raw"));
    FollowOptions follow;
    follow.wait_approval = false;
    follow_session(*client, context, name, follow, out);
    return kExitOk;
  }
  if (pod.empty())
    throw CommandError("session " + name + " has no runner pod (phase " + phase + ")" +
                           (phase == "Denied" ? ": it was denied by policy, see kubectl droid get " + name
                                              : ": try again once it runs, or follow it with kubectl droid run"),
                       kExitError);
  const std::string path =
      kube::kPods.path(ns, pod, "log") + kube::query_string({{"follow", flags->has("follow") ? "true" : ""},
                                                             {"container", "runner"},
                                                             {"tailLines", tail >= 0 ? std::to_string(tail) : ""}});
  kube::CancelToken cancel;
  Output out(io.err, io.out, flags->has("raw"));
  try {
    kube::stream_get(
        *client, path, [&](std::string_view bytes) { out.log(bytes); }, cancel);
  } catch (const kube::ApiError& e) {
    if (e.code() == 404)
      throw CommandError("the runner pod " + pod + " of session " + name + " does not exist in namespace " + ns +
                             " (phase " + phase +
                             "): it has not been created yet, or was removed after the session ended; "
                             "kubectl droid get " +
                             name + " shows the result",
                         kExitError);
    if (e.code() == 400)
      throw CommandError("the runner pod " + pod + " has no log yet (" + e.status_message() + "); retry, or use -f",
                         kExitError);
    throw CommandError(explain_api_error(e, {"get", "pods/log", ns, pod}, context), kExitError);
  } catch (const kube::TransportError& e) {
    throw CommandError(explain_transport_error(e, context), kExitError);
  }
  return kExitOk;
}

}  // namespace droid::kubectl
