#include "contract/session_config.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

// A field of the wrong type; the message names it.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void put_if(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

json to_json(const SessionConfig& c) {
  json j = {{"version", kSessionConfigVersion},
            {"session",
             {{"name", c.session.name},
              {"namespace", c.session.namespace_},
              {"uid", c.session.uid},
              {"runAttempt", c.session.run_attempt}}},
            {"prompt", c.prompt},
            {"model", c.model},
            {"autonomyLevel", c.autonomy_level},
            {"environment", c.environment},
            {"timeoutSeconds", c.timeout_seconds},
            {"policy", {{"names", c.policy.names}, {"hash", c.policy.hash}}}};
  if (c.requester) {
    json r = {{"username", c.requester->username}};
    put_if(r, "uid", c.requester->uid);
    if (!c.requester->groups.empty()) r["groups"] = c.requester->groups;
    j["requester"] = r;
  }
  put_if(j, "reasoningEffort", c.reasoning_effort);
  if (c.max_turns) j["maxTurns"] = *c.max_turns;
  if (c.token_budget) j["tokenBudget"] = *c.token_budget;
  if (c.gateway) {
    const Gateway& g = *c.gateway;
    json gw = {{"provider", g.provider}, {"baseURL", g.base_url}};
    put_if(gw, "name", g.name);
    if (!g.models.empty()) gw["models"] = g.models;
    put_if(gw, "caBundle", g.ca_bundle);
    put_if(gw, "credentialsFile", g.credentials_file);
    put_if(gw, "caBundleFile", g.ca_bundle_file);
    put_if(gw, "auth", g.auth);
    json timeouts = json::object();
    if (g.connect_seconds) timeouts["connectSeconds"] = *g.connect_seconds;
    if (g.idle_seconds) timeouts["idleSeconds"] = *g.idle_seconds;
    if (g.total_seconds) timeouts["totalSeconds"] = *g.total_seconds;
    if (!timeouts.empty()) gw["timeouts"] = timeouts;
    j["gateway"] = gw;
  }
  if (c.repository) {
    json r = {{"url", c.repository->url}};
    put_if(r, "ref", c.repository->ref);
    put_if(r, "subPath", c.repository->sub_path);
    j["repository"] = r;
  }
  if (!c.push_branch.empty()) j["output"] = {{"pushBranch", c.push_branch}};
  if (!c.approvals.empty()) {
    json list = json::array();
    for (const auto& a : c.approvals) {
      json e = {{"command", a.command}};
      put_if(e, "approvedBy", a.approved_by);
      put_if(e, "approvedAt", a.approved_at);
      put_if(e, "comment", a.comment);
      list.push_back(e);
    }
    j["approvals"] = list;
  }
  if (c.approval_wait_seconds > 0) j["approvalWaitSeconds"] = c.approval_wait_seconds;
  if (!c.earlier_runs.empty()) {
    json list = json::array();
    for (const auto& r : c.earlier_runs) {
      json e = {{"runAttempt", r.run_attempt}};
      put_if(e, "summary", r.summary);
      put_if(e, "approvedCommand", r.approved_command);
      put_if(e, "endReason", r.end_reason);
      list.push_back(e);
    }
    j["earlierRuns"] = list;
  }
  if (c.telemetry) {
    json t = json::object();
    put_if(t, "otlpEndpoint", c.telemetry->otlp_endpoint);
    put_if(t, "protocol", c.telemetry->protocol);
    if (!c.telemetry->resource_attributes.empty()) t["resourceAttributes"] = c.telemetry->resource_attributes;
    j["telemetry"] = t;
  }
  return j;
}

// Typed reads of one object's fields; a missing or null field leaves the target as it is.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw FieldError(where("") + "must be an object");
  }
  std::string where(const std::string& key) const {
    return path_.empty() ? key + ": " : path_ + (key.empty() ? ": " : "." + key + ": ");
  }
  const json* find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  void read(const char* key, std::string& out) const {
    if (const json* v = find(key)) {
      if (!v->is_string()) throw FieldError(where(key) + "must be a string");
      out = v->get<std::string>();
    }
  }
  void read(const char* key, std::int64_t& out) const {
    if (const json* v = find(key)) {
      if (!v->is_number_integer()) throw FieldError(where(key) + "must be an integer");
      out = v->get<std::int64_t>();
    }
  }
  void read(const char* key, std::optional<std::int64_t>& out) const {
    std::int64_t v = 0;
    if (find(key) == nullptr) return;
    read(key, v);
    out = v;
  }
  void read(const char* key, int& out) const {
    std::int64_t v = out;
    read(key, v);
    out = static_cast<int>(v);
  }
  void read(const char* key, std::vector<std::string>& out) const {
    const json* v = find(key);
    if (v == nullptr) return;
    if (!v->is_array()) throw FieldError(where(key) + "must be a list of strings");
    out.clear();
    for (const auto& e : *v) {
      if (!e.is_string()) throw FieldError(where(key) + "must be a list of strings");
      out.push_back(e.get<std::string>());
    }
  }
  std::optional<Fields> object(const char* key) const {
    const json* v = find(key);
    if (v == nullptr) return std::nullopt;
    return Fields(*v, path_.empty() ? key : path_ + "." + key);
  }

 private:
  const json& object_;
  std::string path_;
};

SessionConfig from_json(const json& j) {
  const Fields top(j, "");
  SessionConfig c;
  if (auto s = top.object("session")) {
    s->read("name", c.session.name);
    s->read("namespace", c.session.namespace_);
    s->read("uid", c.session.uid);
    s->read("runAttempt", c.session.run_attempt);
  }
  if (auto r = top.object("requester")) {
    Requester who;
    r->read("username", who.username);
    r->read("uid", who.uid);
    r->read("groups", who.groups);
    c.requester = who;
  }
  top.read("prompt", c.prompt);
  top.read("model", c.model);
  top.read("autonomyLevel", c.autonomy_level);
  top.read("reasoningEffort", c.reasoning_effort);
  top.read("environment", c.environment);
  top.read("timeoutSeconds", c.timeout_seconds);
  top.read("maxTurns", c.max_turns);
  top.read("tokenBudget", c.token_budget);
  if (auto g = top.object("gateway")) {
    Gateway gw;
    g->read("name", gw.name);
    g->read("provider", gw.provider);
    g->read("baseURL", gw.base_url);
    g->read("models", gw.models);
    g->read("caBundle", gw.ca_bundle);
    g->read("credentialsFile", gw.credentials_file);
    g->read("caBundleFile", gw.ca_bundle_file);
    g->read("auth", gw.auth);
    if (auto t = g->object("timeouts")) {
      t->read("connectSeconds", gw.connect_seconds);
      t->read("idleSeconds", gw.idle_seconds);
      t->read("totalSeconds", gw.total_seconds);
    }
    c.gateway = gw;
  }
  if (auto r = top.object("repository")) {
    Repository repo;
    r->read("url", repo.url);
    r->read("ref", repo.ref);
    r->read("subPath", repo.sub_path);
    c.repository = repo;
  }
  if (auto o = top.object("output")) o->read("pushBranch", c.push_branch);
  if (const json* list = top.find("approvals")) {
    if (!list->is_array()) throw FieldError("approvals: must be a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Fields a((*list)[i], "approvals[" + std::to_string(i) + "]");
      Approval approval;
      a.read("command", approval.command);
      a.read("approvedBy", approval.approved_by);
      a.read("approvedAt", approval.approved_at);
      a.read("comment", approval.comment);
      if (approval.command.empty()) throw FieldError(a.where("command") + "must be set");
      c.approvals.push_back(approval);
    }
  }
  top.read("approvalWaitSeconds", c.approval_wait_seconds);
  if (c.approval_wait_seconds < 0) throw FieldError("approvalWaitSeconds: must not be negative");
  if (const json* list = top.find("earlierRuns")) {
    if (!list->is_array()) throw FieldError("earlierRuns: must be a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Fields r((*list)[i], "earlierRuns[" + std::to_string(i) + "]");
      EarlierRun run;
      r.read("runAttempt", run.run_attempt);
      r.read("summary", run.summary);
      r.read("approvedCommand", run.approved_command);
      r.read("endReason", run.end_reason);
      c.earlier_runs.push_back(run);
    }
  }
  if (auto t = top.object("telemetry")) {
    Telemetry tel;
    t->read("otlpEndpoint", tel.otlp_endpoint);
    t->read("protocol", tel.protocol);
    if (auto attrs = t->object("resourceAttributes")) {
      for (const auto& [k, v] : (*t->find("resourceAttributes")).items()) {
        if (!v.is_string()) throw FieldError(attrs->where(k) + "must be a string");
        tel.resource_attributes[k] = v.get<std::string>();
      }
    }
    c.telemetry = tel;
  }
  if (auto p = top.object("policy")) {
    p->read("names", c.policy.names);
    p->read("hash", c.policy.hash);
  }
  return c;
}

}  // namespace

std::string encode(const SessionConfig& config) {
  return to_json(config).dump(2, ' ', false, json::error_handler_t::replace);
}

DecodedSessionConfig decode_session_config(std::string_view text) {
  DecodedSessionConfig d;
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    d.error = std::string(kSessionConfigFile) + ": not a JSON object";
    return d;
  }
  if (const auto v = j.find("version"); v != j.end() && *v != kSessionConfigVersion) {
    d.error = std::string(kSessionConfigFile) + ": unsupported version " + v->dump() + " (this runner reads \"" +
              std::string(kSessionConfigVersion) + "\"; use the runner image of the operator's release)";
    return d;
  }
  try {
    d.config = from_json(j);
  } catch (const FieldError& e) {
    d.error = std::string(kSessionConfigFile) + ": " + e.what();
  }
  return d;
}

}  // namespace droid::contract
