// kubectl droid approve NAME [--command CMD] [--comment TEXT]: add a command to
// spec.approvals (approval.h), stamped with who and when.
#include <chrono>

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
    "usage: kubectl droid approve NAME [--command CMD] [--comment TEXT]\n"
    "\n"
    "Approves the command the session waits for (status.pendingApproval.command) by adding\n"
    "it to spec.approvals with approvedBy (you, as the API server knows you) and approvedAt.\n"
    "Existing approvals are kept.\n"
    "\n"
    "  --command CMD    approve this exact command line instead (also before it is asked for)\n"
    "  --comment TEXT   why it is approved (kept with the approval)\n";

const kube::Resource kSelfSubjectReviews{"authentication.k8s.io", "v1", "selfsubjectreviews", false};

// The user as the API server authenticates us; "" when it will not say.
std::string current_user(kube::Client& client) {
  try {
    const json review =
        client.create(kSelfSubjectReviews, {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "SelfSubjectReview"}});
    return review.value("status", json::object()).value("userInfo", json::object()).value("username", "");
  } catch (const kube::ApiError&) {
    return "";
  } catch (const kube::TransportError&) {
    return "";
  }
}

}  // namespace

int approve_command(const Args& args, Io& io) {
  const auto flags =
      parse_command_flags(args, {{"command", cli::Flags::Value}, {"comment", cli::Flags::Value}}, {}, kUsage, io);
  if (!flags) return kExitOk;
  const std::string name = single_name(*flags, "approve");
  if (flags->has("command") && flags->value("command").empty()) throw UsageError("--command needs a command line");
  const Context context = resolve_context(*flags, io.env);
  const std::string& ns = context.namespace_name;
  auto client = make_client(context);
  const std::string user = current_user(*client);
  for (int attempt = 0;; ++attempt) {
    const json session = guarded({"get", "droidsessions.droid.dev", ns, name}, context,
                                 [&] { return client->get(kube::kDroidSessions, ns, name); });
    Approval approval;
    approval.command = command_to_approve(session, flags->value("command"));
    approval.approved_by = user;
    approval.approved_at = rfc3339(std::chrono::system_clock::now());
    approval.comment = flags->value("comment");
    const auto patch = approval_patch(session, approval);
    if (!patch) {
      io.out << "session " << name << ": " << shell_quote(approval.command) << " is already approved\n";
      return kExitOk;
    }
    try {
      client->patch(kube::kDroidSessions, ns, name, kube::PatchType::Merge, *patch);
    } catch (const kube::ApiError& e) {
      if (e.conflict() && attempt < 5) continue;  // changed since we read it: read again, keep the others' approvals
      throw CommandError(explain_api_error(e, {"patch", "droidsessions.droid.dev", ns, name}, context), kExitError);
    } catch (const kube::TransportError& e) {
      throw CommandError(explain_transport_error(e, context), kExitError);
    }
    io.out << "session " << name << ": approved " << shell_quote(approval.command)
           << (user.empty() ? std::string() : " as " + user) << "\n";
    return kExitOk;
  }
}

}  // namespace droid::kubectl
