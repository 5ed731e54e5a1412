#include "commands/command.h"

#include "exit_codes.h"

namespace droid::kubectl {

const char* const kGlobalFlagsHelp =
    "Global flags:\n"
    "  --kubeconfig FILE    kubeconfig to use (default: $KUBECONFIG, a:b merged, else ~/.kube/config,\n"
    "                       else the pod's service account)\n"
    "  --context NAME       kubeconfig context (default: current-context)\n"
    "  -n, --namespace NS   namespace (default: the context's, else \"default\")\n";

std::optional<cli::Flags> parse_command_flags(const Args& args, const std::vector<cli::Flags::Spec>& specs,
                                              const ShortFlags& shorts, const char* usage, Io& io) {
  const auto all = with_global_flags(specs);
  cli::Flags flags(all);
  try {
    flags.parse(expand_short_flags(args, shorts, all));
  } catch (const cli::FlagError& e) {
    throw UsageError(std::string(e.what()) + "\n\n" + usage + "\n" + kGlobalFlagsHelp);
  }
  if (flags.has("help")) {
    io.out << usage << "\n" << kGlobalFlagsHelp;
    return std::nullopt;
  }
  return flags;
}

std::string single_name(const cli::Flags& flags, const std::string& command) {
  const auto& p = flags.positional();
  if (p.empty()) throw UsageError("kubectl droid " + command + " needs a session NAME (see kubectl droid list)");
  if (p.size() > 1) throw UsageError("kubectl droid " + command + " takes one NAME, got " + std::to_string(p.size()));
  return p.front();
}

std::string output_format(const cli::Flags& flags, bool wide_ok) {
  std::string o = flags.value("output");
  if (o.empty() || o == "json" || o == "yaml" || (wide_ok && o == "wide")) return o;
  throw UsageError("-o/--output: \"" + o + "\" is not one of json, yaml" + (wide_ok ? ", wide" : ""));
}

}  // namespace droid::kubectl
