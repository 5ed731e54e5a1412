// Runs kubectl for the end-to-end tests, without a shell.
//
// The kubectl binary is taken from $DROID_KUBECTL (default: "kubectl" on $PATH) and the
// cluster from $KUBECONFIG, which is required: these tests talk to a real API server
// and must never fall back to whatever cluster ~/.kube/config points at.
#ifndef DROID_TESTS_E2E_KUBECTL_H_
#define DROID_TESTS_E2E_KUBECTL_H_

#include <chrono>
#include <string>
#include <vector>

#include "process/subprocess.h"

namespace droid::e2e {

using CommandResult = process::Result;

class Kubectl {
 public:
  // Reads $DROID_KUBECTL and $KUBECONFIG. Throws std::runtime_error when KUBECONFIG is
  // unset or empty.
  static Kubectl FromEnvironment();

  Kubectl(std::string binary, std::string kubeconfig);

  // Runs `kubectl --kubeconfig=<kubeconfig> <args...>`.
  process::Result Run(const std::vector<std::string>& args, const std::string& input = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;

  // Waits until namespace `ns` has its default ServiceAccount, which the
  // controller-manager creates shortly after the namespace and pods need.
  bool WaitForDefaultServiceAccount(const std::string& ns,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  const std::string& binary() const { return binary_; }
  const std::string& kubeconfig() const { return kubeconfig_; }

 private:
  std::string binary_;
  std::string kubeconfig_;
};

}  // namespace droid::e2e

#endif  // DROID_TESTS_E2E_KUBECTL_H_
