// Runs helm for the chart's end-to-end tests, without a shell, and reads what it renders.
//
// The helm binary is $DROID_HELM (required: scripts/test.sh sets it to the pinned build)
// and the cluster $KUBECONFIG, as for kubectl (tests/e2e/kubectl.h).
#ifndef DROID_TESTS_E2E_CHART_HELM_H_
#define DROID_TESTS_E2E_CHART_HELM_H_

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/subprocess.h"

namespace droid::e2e {

class Helm {
 public:
  // Reads $DROID_HELM and $KUBECONFIG (may be empty: commands that need no cluster).
  // Throws std::runtime_error when DROID_HELM is unset or empty.
  static Helm FromEnvironment();

  Helm(std::string binary, std::string kubeconfig);

  // Runs `helm <args...>` (with --kubeconfig when one is known).
  process::Result Run(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(180)) const;

  const std::string& binary() const { return binary_; }

 private:
  std::string binary_;
  std::string kubeconfig_;
};

// The documents of a multi-document YAML stream (helm template's output) as JSON,
// scalars typed as the apiserver's decoder types them; empty documents are dropped.
std::vector<nlohmann::json> parse_manifests(const std::string& text);

// The first document of `docs` with this kind and metadata.name, or null.
const nlohmann::json* find_object(const std::vector<nlohmann::json>& docs, const std::string& kind,
                                  const std::string& name);

}  // namespace droid::e2e

#endif  // DROID_TESTS_E2E_CHART_HELM_H_
