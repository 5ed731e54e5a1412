#include "kubectl.h"

#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <utility>

namespace droid::e2e {

Kubectl Kubectl::FromEnvironment() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  const char* kubeconfig = std::getenv("KUBECONFIG");
  if (kubeconfig == nullptr || *kubeconfig == '\0') {
    throw std::runtime_error(
        "KUBECONFIG is not set: these end-to-end tests need a real cluster. Start one with "
        "scripts/cluster/up.sh and export KUBECONFIG=<the admin kubeconfig it prints>.");
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  const char* binary = std::getenv("DROID_KUBECTL");
  return Kubectl(binary != nullptr && *binary != '\0' ? binary : "kubectl", kubeconfig);
}

Kubectl::Kubectl(std::string binary, std::string kubeconfig)
    : binary_(std::move(binary)), kubeconfig_(std::move(kubeconfig)) {}

process::Result Kubectl::Run(const std::vector<std::string>& args, const std::string& input,
                             std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 2);
  argv.push_back(binary_);
  argv.push_back("--kubeconfig=" + kubeconfig_);
  argv.insert(argv.end(), args.begin(), args.end());
  return process::run(argv, input, timeout);
}

bool Kubectl::WaitForDefaultServiceAccount(const std::string& ns, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!Run({"get", "serviceaccount", "default", "-n", ns}).ok()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return true;
}

}  // namespace droid::e2e
