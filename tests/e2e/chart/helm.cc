#include "helm.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "yaml/yaml_json.h"

namespace droid::e2e {

using json = nlohmann::json;

Helm Helm::FromEnvironment() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  const char* binary = std::getenv("DROID_HELM");
  if (binary == nullptr || *binary == '\0')
    throw std::runtime_error("DROID_HELM must name the helm binary (scripts/test.sh sets it; `make setup` builds it)");
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts; nothing calls setenv
  const char* kubeconfig = std::getenv("KUBECONFIG");
  return Helm(binary, kubeconfig != nullptr ? kubeconfig : "");
}

Helm::Helm(std::string binary, std::string kubeconfig)
    : binary_(std::move(binary)), kubeconfig_(std::move(kubeconfig)) {}

process::Result Helm::Run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv;
  argv.reserve(args.size() + 2);
  argv.push_back(binary_);
  if (!kubeconfig_.empty()) argv.push_back("--kubeconfig=" + kubeconfig_);
  argv.insert(argv.end(), args.begin(), args.end());
  return process::run(argv, {}, timeout);
}

std::vector<json> parse_manifests(const std::string& text) {
  std::vector<json> out;
  for (json& doc : yaml::parse_documents(text, "helm's output"))
    if (doc.is_object() && !doc.empty()) out.push_back(std::move(doc));
  return out;
}

const json* find_object(const std::vector<json>& docs, const std::string& kind, const std::string& name) {
  for (const json& d : docs)
    if (d.value("kind", "") == kind && d.contains("metadata") && d["metadata"].value("name", "") == name) return &d;
  return nullptr;
}

}  // namespace droid::e2e
