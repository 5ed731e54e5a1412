// kubectl droid policy explain [-n NS]: the effective org policy of a namespace.
#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "explain.h"
#include "kube/client.h"
#include "yaml.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid policy explain [-n NS] [-o json|yaml]\n"
    "\n"
    "Shows the effective org policy of a namespace as the operator resolves it: the\n"
    "OrgPolicies whose namespaceSelector matches the namespace's labels, in merge order\n"
    "(priority, then name), and for every merged field its value and the OrgPolicy that\n"
    "set it. Needs get on the namespace and list on orgpolicies.droid.dev.\n"
    "\n"
    "  -o, --output FORMAT  json or yaml\n";

}  // namespace

int policy_command(const Args& args, Io& io) {
  const auto flags = parse_command_flags(args, {{"output", cli::Flags::Value}}, {{'o', "output"}}, kUsage, io);
  if (!flags) return kExitOk;
  const auto& p = flags->positional();
  if (p.empty() || p.front() != "explain" || p.size() > 1)
    throw UsageError(std::string("kubectl droid policy has one subcommand: explain\n\n") + kUsage);
  const std::string output = output_format(*flags, false);
  const Context context = resolve_context(*flags, io.env);
  const std::string& ns = context.namespace_name;
  auto client = make_client(context);
  const json namespace_object =
      guarded({"get", "namespaces", "", ns}, context, [&] { return client->get(kube::kNamespaces, "", ns); });
  policy::Labels labels;
  const json namespace_labels = namespace_object["metadata"].value("labels", json::object());
  for (const auto& [k, v] : namespace_labels.items())
    if (v.is_string()) labels[k] = v.get<std::string>();
  const json list =
      guarded({"list", "orgpolicies.droid.dev", "", ""}, context, [&] { return client->list(kube::kOrgPolicies, ""); });
  const auto explanation = explain_policy(ns, labels, org_policies(list.value("items", json::array())));
  if (output == "json") {
    io.out << explanation.dump(2) << "\n";
  } else if (output == "yaml") {
    io.out << to_yaml(json::parse(explanation.dump()));
  } else {
    io.out << explanation_text(explanation);
  }
  return kExitOk;
}

}  // namespace droid::kubectl
