// kubectl droid reject NAME --reason TEXT [--command CMD]: add the command the
// session waits for to spec.rejections (approval.h). A runner waiting in place
// gets the rejection and the reason as its tool result and goes on; the
// admission webhook stamps who rejected it and when.
#include "approval.h"
#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "kube/client.h"
#include "kube/error.h"
#include "render.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid reject NAME --reason TEXT [--command CMD]\n"
    "\n"
    "Rejects the command the session waits for (status.pendingApproval.command) by adding it\n"
    "to spec.rejections with the reason; the admission webhook records you as rejectedBy. A\n"
    "runner waiting in place tells the model (with the reason) and goes on; a session whose\n"
    "run has already ended fails with reason ApprovalRejected.\n"
    "\n"
    "  --reason TEXT    why (required; the model is told)\n"
    "  --command CMD    reject this exact command line instead (also before it is asked for)\n";

}  // namespace

int reject_command(const Args& args, Io& io) {
  const auto flags =
      parse_command_flags(args, {{"command", cli::Flags::Value}, {"reason", cli::Flags::Value}}, {}, kUsage, io);
  if (!flags) return kExitOk;
  const std::string name = single_name(*flags, "reject");
  if (flags->value("reason").empty()) throw UsageError("--reason is required: say why, the model is told");
  if (flags->has("command") && flags->value("command").empty()) throw UsageError("--command needs a command line");
  const Context context = resolve_context(*flags, io.env);
  const std::string& ns = context.namespace_name;
  auto client = make_client(context);
  for (int attempt = 0;; ++attempt) {
    const json session = guarded({"get", "droidsessions.droid.dev", ns, name}, context,
                                 [&] { return client->get(kube::kDroidSessions, ns, name); });
    const std::string command = command_to_approve(session, flags->value("command"));
    const auto patch = rejection_patch(session, command, flags->value("reason"));
    if (!patch) {
      io.out << "session " << name << ": " << shell_quote(command) << " is already rejected\n";
      return kExitOk;
    }
    try {
      client->patch(kube::kDroidSessions, ns, name, kube::PatchType::Merge, *patch);
    } catch (const kube::ApiError& e) {
      if (e.conflict() && attempt < 5) continue;  // changed since we read it: read again, keep the others' entries
      throw CommandError(explain_api_error(e, {"patch", "droidsessions.droid.dev", ns, name}, context), kExitError);
    } catch (const kube::TransportError& e) {
      throw CommandError(explain_transport_error(e, context), kExitError);
    }
    io.out << "session " << name << ": rejected " << shell_quote(command) << "\n";
    return kExitOk;
  }
}

}  // namespace droid::kubectl
