#include "helm.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <utility>

namespace droid::e2e {
namespace {

using json = nlohmann::json;

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: always a string
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      static const std::regex kInteger("[-+]?[0-9]+");
      if (std::regex_match(s, kInteger)) return std::stoll(s);
      return s;
    }
    default: return nullptr;
  }
}

}  // namespace

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

std::vector<json> parse_manifests(const std::string& yaml) {
  std::vector<json> out;
  for (const YAML::Node& doc : YAML::LoadAll(yaml)) {
    json j = yaml_to_json(doc);
    if (j.is_object() && !j.empty()) out.push_back(std::move(j));
  }
  return out;
}

const json* find_object(const std::vector<json>& docs, const std::string& kind, const std::string& name) {
  for (const json& d : docs)
    if (d.value("kind", "") == kind && d.contains("metadata") && d["metadata"].value("name", "") == name) return &d;
  return nullptr;
}

}  // namespace droid::e2e
