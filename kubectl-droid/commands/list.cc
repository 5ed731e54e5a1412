// kubectl droid list: the sessions of a namespace (or all) as a table, JSON or YAML.
#include <chrono>

#include "commands/command.h"
#include "errors.h"
#include "exit_codes.h"
#include "kube/client.h"
#include "render.h"
#include "yaml.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

constexpr const char* kUsage =
    "usage: kubectl droid list [-A] [-l SELECTOR] [-o wide|json|yaml]\n"
    "\n"
    "Lists DroidSessions: NAME PHASE MODEL AUTONOMY REASON AGE (wide: also REQUESTER, POD,\n"
    "PENDING-APPROVAL).\n"
    "\n"
    "  -A, --all-namespaces     sessions of every namespace\n"
    "  -l, --selector SELECTOR  only sessions with these labels (team=a,env!=prod)\n"
    "  -o, --output FORMAT      wide, json or yaml\n";

}  // namespace

int list_command(const Args& args, Io& io) {
  const auto flags = parse_command_flags(
      args, {{"all-namespaces", cli::Flags::Bool}, {"selector", cli::Flags::Value}, {"output", cli::Flags::Value}},
      {{'A', "all-namespaces"}, {'l', "selector"}, {'o', "output"}}, kUsage, io);
  if (!flags) return kExitOk;
  if (!flags->positional().empty()) throw UsageError("kubectl droid list takes no NAME; use kubectl droid get NAME");
  const std::string output = output_format(*flags, true);
  const Context context = resolve_context(*flags, io.env);
  const bool all = flags->has("all-namespaces");
  const std::string ns = all ? "" : context.namespace_name;
  auto client = make_client(context);
  json items = json::array();
  kube::ListOptions options;
  options.label_selector = flags->value("selector");
  options.limit = 500;
  do {
    const json page = guarded({"list", "droidsessions.droid.dev", ns, ""}, context,
                              [&] { return client->list(kube::kDroidSessions, ns, options); });
    for (const auto& item : page.value("items", json::array())) items.push_back(item);
    options.continue_token = page["metadata"].value("continue", "");
  } while (!options.continue_token.empty());

  if (output == "json" || output == "yaml") {
    json list = {{"apiVersion", "droid.dev/v1alpha1"}, {"kind", "DroidSessionList"}, {"items", items}};
    io.out << (output == "json" ? list.dump(2) + "\n" : to_yaml(list));
    return kExitOk;
  }
  if (items.empty()) {
    io.err << (all ? std::string("No sessions found.") : "No sessions found in namespace " + ns + ".") << "\n";
    return kExitOk;
  }
  io.out << sessions_table(items, {.all_namespaces = all, .wide = output == "wide"}, std::chrono::system_clock::now());
  return kExitOk;
}

}  // namespace droid::kubectl
