#include "context.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "exit_codes.h"
#include "kube/error.h"

namespace droid::kubectl {

Environment Environment::from_process() {
  Environment env;
  // NOLINTBEGIN(concurrency-mt-unsafe): read once at start, before any thread; nothing calls setenv
  if (const char* v = std::getenv("KUBECONFIG")) env.kubeconfig = v;
  if (const char* v = std::getenv("HOME")) env.home = v;
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  // NOLINTEND(concurrency-mt-unsafe)
  env.in_cluster = host != nullptr && *host != '\0';
  return env;
}

Context resolve_context(const cli::Flags& flags, const Environment& env) {
  Context out;
  kube::KubeconfigOptions options;
  options.context = flags.value("context");
  std::vector<std::string> paths;
  if (flags.has("kubeconfig")) {
    paths.push_back(flags.value("kubeconfig"));
    if (paths.front().empty()) throw UsageError("--kubeconfig needs a file name");
  } else if (!env.kubeconfig.empty()) {
    paths = kube::split_kubeconfig_paths(env.kubeconfig);
  } else if (!env.home.empty() && std::filesystem::exists(std::filesystem::path(env.home) / ".kube" / "config")) {
    paths.push_back((std::filesystem::path(env.home) / ".kube" / "config").string());
  }
  try {
    if (!paths.empty()) {
      out.config = flags.has("kubeconfig") ? kube::load_kubeconfig(paths.front(), options)
                                           : kube::load_kubeconfig_files(paths, options);
      std::string joined;
      for (const auto& p : paths) joined += (joined.empty() ? "" : ":") + p;
      out.source = "kubeconfig " + joined + ", context " + out.config.context;
    } else if (env.in_cluster) {
      if (!options.context.empty()) throw UsageError("--context needs a kubeconfig (none found; running in-cluster)");
      out.config = kube::load_in_cluster();
      out.source = "in-cluster service account";
    } else {
      throw CommandError(
          "no kubeconfig: give --kubeconfig FILE or set KUBECONFIG (~/.kube/config does not exist and this is not a "
          "pod)",
          kExitError);
    }
  } catch (const kube::ConfigError& e) {
    throw CommandError(std::string("kubeconfig: ") + e.what(), kExitError);
  }
  out.namespace_name = flags.value("namespace", out.config.default_namespace);
  if (out.namespace_name.empty()) throw UsageError("--namespace needs a value");
  return out;
}

std::unique_ptr<kube::Client> make_client(const Context& context) {
  try {
    return std::make_unique<kube::Client>(context.config);
  } catch (const kube::ConfigError& e) {
    throw CommandError("cannot use the credentials of " + context.source + ": " + e.what(), kExitError);
  }
}

}  // namespace droid::kubectl
