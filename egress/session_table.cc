#include "session_table.h"

#include <stdexcept>

#include "contract/egress_token.h"

namespace droid::egress {
namespace {

std::string trim_newlines(std::string value) {
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

std::string pod_key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

bool names_secret(const contract::EgressGrant& g, const std::string& secret) {
  for (const auto& d : g.destinations) {
    if (d.credential_ref.name == secret || d.ca_bundle_ref.name == secret || d.client_cert_secret == secret)
      return true;
  }
  return false;
}

}  // namespace

SessionTable::SessionTable(std::shared_ptr<SessionRegistry> registry) : registry_(std::move(registry)) {}

Destination SessionTable::resolve(const contract::EgressDestination& c) const {
  Destination d;
  d.name = c.name;
  d.hosts = c.hosts;
  d.ports = c.ports;
  d.methods = c.methods;
  d.path_prefixes = c.path_prefixes;
  d.git_repositories = c.repositories;
  d.tunnel = c.kind == contract::EgressKind::Tunnel;
  d.address = c.address;
  d.credential.type = c.credential_type;
  // A value from a Secret, or "" with d.unavailable saying why.
  const auto secret_value = [&](const std::string& secret, const std::string& key, const char* what) -> std::string {
    const auto s = secrets_.find(secret);
    if (s == secrets_.end()) {
      if (d.unavailable.empty()) d.unavailable = std::string(what) + ": Secret " + secret + " not found";
      return "";
    }
    const auto v = s->second.find(key);
    if (v == s->second.end() || v->second.empty()) {
      if (d.unavailable.empty()) d.unavailable = std::string(what) + ": Secret " + secret + " has no key " + key;
      return "";
    }
    return v->second;
  };
  if (c.credential_type != CredentialType::None) {
    std::string value = trim_newlines(secret_value(c.credential_ref.name, c.credential_ref.key, "credential"));
    if (value.find_first_of("\r\n") != std::string::npos && d.unavailable.empty())
      d.unavailable =
          "credential: Secret " + c.credential_ref.name + " key " + c.credential_ref.key + " must hold one line";
    if (c.credential_type == CredentialType::Basic && value.find(':') == std::string::npos && d.unavailable.empty())
      d.unavailable = "credential: Secret " + c.credential_ref.name + " key " + c.credential_ref.key +
                      " must hold user:password for basic";
    d.credential.value = std::move(value);
  }
  if (c.https) {
    d.tls.enabled = true;
    d.tls.ca_pem = c.ca_bundle.empty() && !c.ca_bundle_ref.empty()
                       ? secret_value(c.ca_bundle_ref.name, c.ca_bundle_ref.key, "CA bundle")
                       : c.ca_bundle;
    if (!c.client_cert_secret.empty()) {
      d.tls.cert_pem = secret_value(c.client_cert_secret, std::string(contract::kTlsCertKey), "client certificate");
      d.tls.key_pem = secret_value(c.client_cert_secret, std::string(contract::kTlsKeyKey), "client certificate");
    }
  }
  if (!d.unavailable.empty()) d.credential.value.clear();
  return d;
}

void SessionTable::rebuild(const std::string& name, const GrantState& state) {
  if (!state.grant || key_.empty()) {
    registry_->finish(name);
    return;
  }
  const contract::EgressGrant& g = *state.grant;
  Session s;
  s.key = name;
  s.id = g.identity.namespace_ + "/" + g.identity.name;
  s.uid = g.identity.uid;
  s.expires_at = g.expires_at;
  s.finished = g.finished;
  s.push_branch = g.push_branch;
  if (auto pod = pods_.find(pod_key(g.identity.namespace_, g.identity.pod_name)); pod != pods_.end())
    s.pod_ip = pod->second;
  s.destinations.reserve(g.destinations.size());
  for (const auto& d : g.destinations) s.destinations.push_back(resolve(d));
  std::vector<std::string> tokens{contract::egress_token(key_, g.identity)};
  if (!previous_key_.empty()) tokens.push_back(contract::egress_token(previous_key_, g.identity));
  registry_->put(tokens, std::move(s));
}

void SessionTable::rebuild_if(const std::function<bool(const contract::EgressGrant&)>& touches) {
  for (const auto& [name, state] : grants_) {
    if (state.grant && touches(*state.grant)) rebuild(name, state);
  }
}

std::string SessionTable::put_grant(const std::string& name, const std::string& text) {
  std::lock_guard lock(mu_);
  GrantState& state = grants_[name];
  try {
    state.grant = contract::decode_egress_grant(text);
    state.error.clear();
  } catch (const contract::EgressGrantError& e) {
    state.grant.reset();
    state.error = e.what();
  }
  rebuild(name, state);
  return state.error;
}

void SessionTable::remove_grant(const std::string& name) {
  std::lock_guard lock(mu_);
  grants_.erase(name);
  registry_->finish(name);
}

void SessionTable::put_secret(const std::string& name, SecretData data) {
  std::lock_guard lock(mu_);
  auto& slot = secrets_[name];
  if (slot == data) return;
  slot = std::move(data);
  rebuild_if([&](const contract::EgressGrant& g) { return names_secret(g, name); });
}

void SessionTable::remove_secret(const std::string& name) {
  std::lock_guard lock(mu_);
  if (secrets_.erase(name) == 0) return;
  rebuild_if([&](const contract::EgressGrant& g) { return names_secret(g, name); });
}

void SessionTable::put_pod(const std::string& ns, const std::string& name, const std::string& ip) {
  std::lock_guard lock(mu_);
  auto& slot = pods_[pod_key(ns, name)];
  if (slot == ip) return;
  slot = ip;
  rebuild_if(
      [&](const contract::EgressGrant& g) { return g.identity.namespace_ == ns && g.identity.pod_name == name; });
}

void SessionTable::remove_pod(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  if (pods_.erase(pod_key(ns, name)) == 0) return;
  rebuild_if(
      [&](const contract::EgressGrant& g) { return g.identity.namespace_ == ns && g.identity.pod_name == name; });
}

void SessionTable::set_keys(std::string current, std::string previous) {
  if (current.size() < contract::kEgressTokenMinKeyBytes)
    throw std::invalid_argument("token key: must be at least 32 bytes");
  if (!previous.empty() && previous.size() < contract::kEgressTokenMinKeyBytes)
    throw std::invalid_argument("previous token key: must be at least 32 bytes");
  std::lock_guard lock(mu_);
  if (current == key_ && previous == previous_key_) return;
  key_ = std::move(current);
  previous_key_ = std::move(previous);
  for (const auto& [name, state] : grants_) rebuild(name, state);
}

void SessionTable::clear_keys() {
  std::lock_guard lock(mu_);
  key_.clear();
  previous_key_.clear();
  for (const auto& [name, state] : grants_) rebuild(name, state);
}

bool SessionTable::has_key() const {
  std::lock_guard lock(mu_);
  return !key_.empty();
}

bool SessionTable::secret_wanted(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [grant_name, state] : grants_) {
    if (state.grant && names_secret(*state.grant, name)) return true;
  }
  return false;
}

std::vector<std::string> SessionTable::problems() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, state] : grants_) {
    if (!state.error.empty()) out.push_back("grant " + name + ": " + state.error);
    if (!state.grant) continue;
    for (const auto& d : state.grant->destinations) {
      const Destination r = resolve(d);
      if (!r.unavailable.empty()) out.push_back("grant " + name + ": destination " + d.name + ": " + r.unavailable);
    }
  }
  if (key_.empty()) out.emplace_back("no token key: every session token is refused");
  return out;
}

std::size_t SessionTable::grants() const {
  std::lock_guard lock(mu_);
  return grants_.size();
}

}  // namespace droid::egress
