// Which cluster and namespace a command talks to, chosen as kubectl chooses:
//   --kubeconfig FILE, else $KUBECONFIG (a:b, merged, the first file winning),
//   else ~/.kube/config when it exists, else the pod's service account
//   (in-cluster); --context picks a context (default: current-context);
//   -n/--namespace, else the context's namespace, else "default".
// The environment is passed in so that tests need not change the process's.
#pragma once

#include <memory>
#include <string>

#include "cli/flags.h"
#include "kube/client.h"
#include "kube/config.h"

namespace droid::kubectl {

struct Environment {
  std::string kubeconfig;   // $KUBECONFIG
  std::string home;         // $HOME
  bool in_cluster = false;  // KUBERNETES_SERVICE_HOST is set
  static Environment from_process();
};

struct Context {
  kube::Config config;
  std::string namespace_name;
  std::string source;  // for messages: "kubeconfig /a:/b, context kind" or "in-cluster service account"
};

// Throws CommandError (exit 7) naming the file and the fix.
Context resolve_context(const cli::Flags& flags, const Environment& env);

// A client for `context`; CommandError when its TLS material is unusable.
std::unique_ptr<kube::Client> make_client(const Context& context);

}  // namespace droid::kubectl
