#include "kube_feed.h"

#include <thread>

#include "contract/egress_grant.h"
#include "contract/egress_token.h"
#include "kube/config.h"

namespace droid::egress {
namespace {

using json = nlohmann::json;

std::string meta(const json& object, const char* field) {
  const auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return "";
  const auto v = md->find(field);
  return v != md->end() && v->is_string() ? v->get<std::string>() : "";
}

// Keeps metadata.{name, namespace, resourceVersion} and the listed top-level fields.
void keep(json& object, std::initializer_list<const char*> fields) {
  if (!object.is_object()) return;
  json kept = json::object();
  if (auto md = object.find("metadata"); md != object.end() && md->is_object()) {
    json m = json::object();
    for (const char* k : {"name", "namespace", "resourceVersion", "uid"}) {
      if (auto v = md->find(k); v != md->end()) m[k] = std::move(*v);
    }
    kept["metadata"] = std::move(m);
  }
  for (const char* f : fields) {
    if (auto v = object.find(f); v != object.end()) kept[f] = std::move(*v);
  }
  object = std::move(kept);
}

void trim_pod(json& pod) {
  json status = json::object();
  if (auto s = pod.find("status"); s != pod.end() && s->is_object()) {
    for (const char* k : {"podIP", "phase"}) {
      if (auto v = s->find(k); v != s->end()) status[k] = std::move(*v);
    }
  }
  keep(pod, {});
  pod["status"] = std::move(status);
}

}  // namespace

KubeFeed::KubeFeed(kube::Api& api, std::shared_ptr<SessionTable> table, KubeFeedOptions options)
    : table_(std::move(table)), options_(std::move(options)) {
  kube::ReflectorOptions grants;
  grants.namespace_name = options_.namespace_name;
  grants.label_selector = std::string(contract::kEgressGrantSelector);
  grants.transform = [](json& o) { keep(o, {"data"}); };
  grants_ = std::make_unique<kube::Reflector>(
      api, kube::kConfigMaps, grants, std::make_shared<kube::Store>(),
      kube::ReflectorHandlers{[this](const json& o) { on_grant(o); },
                              [this](const json&, const json& o) { on_grant(o); },
                              [this](const json& o) { table_->remove_grant(meta(o, "name")); },
                              [this](const std::string& e) { problem("grant watch", e); }});
  kube::ReflectorOptions secrets;
  secrets.namespace_name = options_.namespace_name;
  secrets.transform = [](json& o) { keep(o, {"data"}); };
  secrets_ = std::make_unique<kube::Reflector>(
      api, kube::kSecrets, secrets, std::make_shared<kube::Store>(),
      kube::ReflectorHandlers{
          [this](const json& o) { on_secret(o); }, [this](const json&, const json& o) { on_secret(o); },
          [this](const json& o) { on_secret_gone(o); }, [this](const std::string& e) { problem("secret watch", e); }});
  kube::ReflectorOptions pods;
  pods.label_selector = std::string(contract::kSessionLabel);
  pods.transform = trim_pod;
  pods_ = std::make_unique<kube::Reflector>(
      api, kube::kPods, pods, std::make_shared<kube::Store>(),
      kube::ReflectorHandlers{[this](const json& o) { on_pod(o); }, [this](const json&, const json& o) { on_pod(o); },
                              [this](const json& o) { table_->remove_pod(meta(o, "namespace"), meta(o, "name")); },
                              [this](const std::string& e) { problem("pod watch", e); }});
}

KubeFeed::~KubeFeed() { stop(); }

void KubeFeed::start() {
  grants_->start();
  secrets_->start();
  pods_->start();
}

void KubeFeed::stop() {
  grants_->stop();
  secrets_->stop();
  pods_->stop();
}

void KubeFeed::problem(const std::string& message, const std::string& detail) const {
  if (options_.on_problem) options_.on_problem(message, detail);
}

void KubeFeed::on_grant(const json& object) {
  const std::string name = meta(object, "name");
  std::string text;
  if (auto data = object.find("data"); data != object.end() && data->is_object()) {
    if (auto g = data->find(std::string(contract::kEgressGrantDataKey)); g != data->end() && g->is_string())
      text = g->get<std::string>();
  }
  const std::string error = table_->put_grant(name, text);
  if (!error.empty()) problem("grant " + name + " refused (its session's requests are refused)", error);
}

void KubeFeed::on_secret(const json& object) {
  const std::string name = meta(object, "name");
  SecretData data;
  if (auto d = object.find("data"); d != object.end() && d->is_object()) {
    for (const auto& [key, value] : d->items()) {
      if (!value.is_string()) continue;
      try {
        data[key] = kube::base64_decode(value.get<std::string>());
      } catch (const std::exception&) {
        problem("secret " + name, "data key " + key + " is not base64");
      }
    }
  }
  if (name == contract::kEgressTokenKeySecret) {
    const auto current = data.find(std::string(contract::kEgressTokenKeyDataKey));
    const auto previous = data.find(std::string(contract::kEgressTokenPreviousKeyDataKey));
    try {
      if (current == data.end()) throw std::invalid_argument("has no data key \"key\"");
      table_->set_keys(current->second, previous == data.end() ? "" : previous->second);
    } catch (const std::invalid_argument& e) {
      table_->clear_keys();
      problem("token key Secret " + name + " unusable: every session token is refused", e.what());
    }
  }
  table_->put_secret(name, std::move(data));
}

void KubeFeed::on_secret_gone(const json& object) {
  const std::string name = meta(object, "name");
  if (name == contract::kEgressTokenKeySecret) {
    table_->clear_keys();
    problem("token key Secret " + name + " deleted", "every session token is refused");
  }
  table_->remove_secret(name);
}

void KubeFeed::on_pod(const json& object) {
  std::string ip;
  std::string phase;
  if (auto s = object.find("status"); s != object.end() && s->is_object()) {
    ip = s->value("podIP", "");
    phase = s->value("phase", "");
  }
  // A finished pod's address may already be another pod's.
  if (phase == "Succeeded" || phase == "Failed") ip.clear();
  table_->put_pod(meta(object, "namespace"), meta(object, "name"), ip);
}

bool KubeFeed::ready() const { return why_not_ready().empty(); }

std::string KubeFeed::why_not_ready() const {
  if (!grants_->synced()) return "the grant ConfigMaps have not been listed yet";
  if (!secrets_->synced()) return "the Secrets have not been listed yet";
  if (!pods_->synced()) return "the runner pods have not been listed yet";
  if (!table_->has_key())
    return "no usable token key (Secret " + std::string(contract::kEgressTokenKeySecret) + ", data key \"key\")";
  return "";
}

bool KubeFeed::wait_until_ready(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace droid::egress
