#include "reconcile/egress_grants.h"

#include <stdexcept>

#include "contract/egress_grant.h"
#include "contract/egress_token.h"
#include "jsonutil/lookup.h"
#include "kube/config.h"
#include "kube/error.h"
#include "resources/egress_grant.h"

namespace droid::op {
namespace {

using json = nlohmann::json;
using jsonutil::string_at;

constexpr std::chrono::seconds kKeyTtl{60};

}  // namespace

EgressGrants::EgressGrants(kube::Api& api, std::string operator_namespace, std::string key_secret,
                           std::string field_manager)
    : api_(api),
      namespace_(std::move(operator_namespace)),
      key_secret_(std::move(key_secret)),
      field_manager_(std::move(field_manager)) {}

std::string EgressGrants::key() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!key_.empty() && now - key_read_ < kKeyTtl) return key_;
  const std::string where = "Secret " + namespace_ + "/" + key_secret_ + " (--egress-token-secret)";
  std::string key;
  try {
    const json secret = api_.get(kube::kSecrets, namespace_, key_secret_);
    key = kube::base64_decode(string_at(secret, {"data", "key"}));
  } catch (const kube::ApiError& e) {
    if (!key_.empty()) return key_;  // keep minting with the last key through an API hiccup
    if (e.not_found())
      throw std::runtime_error(where +
                               " does not exist: the Helm chart makes it (egress.enabled); or create it "
                               "with a data key \"key\" of at least 32 random bytes");
    throw std::runtime_error(where + ": " + e.what() + " (the operator needs get on that Secret)");
  } catch (const std::invalid_argument&) {
    throw std::runtime_error(where + ": data key \"key\" is not valid base64");
  }
  if (key.size() < 32) throw std::runtime_error(where + ": data key \"key\" must hold at least 32 bytes");
  key_ = key;
  key_read_ = now;
  return key_;
}

std::string EgressGrants::token(const SessionRef& s) {
  return contract::egress_token(key(), contract::EgressIdentity{s.namespace_, s.name, s.uid, pod_name(s)});
}

void EgressGrants::write(const SessionRef& s, const json& grant) {
  contract::egress_grant_from_json(grant);  // what the gateway will read; throws naming the field
  // Server-side apply: one request whether it is the first run's grant or a later run's.
  api_.apply(kube::kConfigMaps, build_egress_grant(s, namespace_, grant), field_manager_, /*force=*/true);
}

void EgressGrants::remove(const std::string& uid) {
  try {
    api_.remove(kube::kConfigMaps, namespace_, egress_grant_name(uid));
  } catch (const kube::ApiError& e) {
    if (!e.not_found()) throw;
  }
}

void EgressGrants::remove_session(const std::string& ns, const std::string& name) {
  kube::ListOptions o;
  o.label_selector =
      std::string(kEgressGrantSelector) + "," + kSessionLabel + "=" + name + "," + kSessionNamespaceLabel + "=" + ns;
  const json list = api_.list(kube::kConfigMaps, namespace_, o);
  for (const auto& cm : list.value("items", json::array())) {
    try {
      api_.remove(kube::kConfigMaps, namespace_, string_at(cm, {"metadata", "name"}));
    } catch (const kube::ApiError& e) {
      if (!e.not_found()) throw;
    }
  }
}

std::size_t EgressGrants::sweep(
    const std::function<bool(const std::string&, const std::string&, const std::string&)>& live) {
  kube::ListOptions o;
  o.label_selector = kEgressGrantSelector;
  std::size_t removed = 0;
  do {
    const json list = api_.list(kube::kConfigMaps, namespace_, o);
    for (const auto& cm : list.value("items", json::array())) {
      const json grant = json::parse(string_at(cm, {"data", kEgressGrantKey}), nullptr, /*allow_exceptions=*/false);
      const std::string ns = string_at(grant, {"session", "namespace"});
      const std::string name = string_at(grant, {"session", "name"});
      const std::string uid = string_at(grant, {"session", "uid"});
      if (!uid.empty() && live(ns, name, uid)) continue;
      try {
        api_.remove(kube::kConfigMaps, namespace_, string_at(cm, {"metadata", "name"}));
        ++removed;
      } catch (const kube::ApiError& e) {
        if (!e.not_found()) throw;
      }
    }
    o.continue_token = string_at(list, {"metadata", "continue"});
  } while (!o.continue_token.empty());
  return removed;
}

}  // namespace droid::op
