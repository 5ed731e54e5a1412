// kubectl droid cancel NAME: set spec.cancel; the operator stops the runner.
#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "kube/client.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid cancel NAME\n"
    "\n"
    "Cancels a session (sets spec.cancel: true): the operator stops its runner pod and the\n"
    "phase becomes Cancelled. A finished session is left as it is.\n";

}  // namespace

int cancel_command(const Args& args, Io& io) {
  const auto flags = parse_command_flags(args, {}, {}, kUsage, io);
  if (!flags) return kExitOk;
  const std::string name = single_name(*flags, "cancel");
  const Context context = resolve_context(*flags, io.env);
  const std::string& ns = context.namespace_name;
  auto client = make_client(context);
  const json session = guarded({"get", "droidsessions.droid.dev", ns, name}, context,
                               [&] { return client->get(kube::kDroidSessions, ns, name); });
  const std::string phase = session.value("status", json::object()).value("phase", "");
  if (is_terminal_phase(phase)) {
    io.out << "session " << name << " already finished (phase " << phase << "); nothing to cancel\n";
    return kExitOk;
  }
  if (session.value("spec", json::object()).value("cancel", false)) {
    io.out << "session " << name << " is already being cancelled\n";
    return kExitOk;
  }
  guarded({"patch", "droidsessions.droid.dev", ns, name}, context, [&] {
    return client->patch(kube::kDroidSessions, ns, name, kube::PatchType::Merge, {{"spec", {{"cancel", true}}}});
  });
  io.out << "session " << name << " cancelled (spec.cancel set; the operator stops its runner)\n";
  return kExitOk;
}

}  // namespace droid::kubectl
