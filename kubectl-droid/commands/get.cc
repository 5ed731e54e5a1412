// kubectl droid get NAME: one session, described for people or as JSON/YAML.
#include <chrono>

#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "kube/client.h"
#include "render.h"
#include "yaml.h"

namespace droid::kubectl {
namespace {

constexpr const char* kUsage =
    "usage: kubectl droid get NAME [-o json|yaml]\n"
    "\n"
    "Describes a DroidSession: phase and reason, spec summary, pending approval (with the\n"
    "command that approves it), approvals, conditions, usage and result.\n"
    "\n"
    "  -o, --output FORMAT  json or yaml: the object as the API server has it\n";

}  // namespace

int get_command(const Args& args, Io& io) {
  const auto flags = parse_command_flags(args, {{"output", cli::Flags::Value}}, {{'o', "output"}}, kUsage, io);
  if (!flags) return kExitOk;
  const std::string name = single_name(*flags, "get");
  const std::string output = output_format(*flags, false);
  const Context context = resolve_context(*flags, io.env);
  auto client = make_client(context);
  const auto session = guarded({"get", "droidsessions.droid.dev", context.namespace_name, name}, context,
                               [&] { return client->get(kube::kDroidSessions, context.namespace_name, name); });
  if (output == "json") {
    io.out << session.dump(2) << "\n";
  } else if (output == "yaml") {
    io.out << to_yaml(session);
  } else {
    io.out << describe_session(session, std::chrono::system_clock::now());
  }
  return kExitOk;
}

}  // namespace droid::kubectl
