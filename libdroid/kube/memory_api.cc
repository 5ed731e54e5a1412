#include "kube/memory_api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace droid::kube {
namespace {

using json = nlohmann::json;

std::string group_resource(const Resource& r) { return r.group.empty() ? r.plural : r.plural + "." + r.group; }

// The error a real API server gives, its Status as the body.
ApiError status_error(int code, const std::string& reason, const std::string& message) {
  const json status = {{"kind", "Status"},   {"apiVersion", "v1"}, {"status", "Failure"},
                       {"message", message}, {"reason", reason},   {"code", code}};
  return ApiError(code, reason, message, status.dump());
}

ApiError not_found(const Resource& r, const std::string& name) {
  return status_error(404, "NotFound", group_resource(r) + " \"" + name + "\" not found");
}

ApiError conflict(const Resource& r, const std::string& name) {
  return status_error(409, "Conflict",
                      "Operation cannot be fulfilled on " + group_resource(r) + " \"" + name +
                          "\": the object has been modified; please apply your changes to the latest version and "
                          "try again");
}

std::string field(const json& object, const char* section, const char* key) {
  auto s = object.find(section);
  if (s == object.end() || !s->is_object()) return "";
  auto v = s->find(key);
  return v != s->end() && v->is_string() ? v->get<std::string>() : "";
}

bool has_status_subresource(const Resource& r) {
  return r.plural == "pods" || r.plural == "namespaces" || r.plural == "droidsessions" || r.plural == "orgpolicies";
}

// Everything but metadata and status: what a change of bumps metadata.generation.
json spec_part(const json& object) {
  json out = object;
  out.erase("metadata");
  out.erase("status");
  out.erase("apiVersion");
  out.erase("kind");
  return out;
}

bool matches(const json& object, const std::string& selector) {
  std::istringstream terms(selector);
  for (std::string term; std::getline(terms, term, ',');) {
    if (term.empty()) continue;
    if (term.find_first_of("!()<> ") != std::string::npos || term.find("!=") != std::string::npos)
      throw std::invalid_argument("MemoryApi: unsupported label selector term '" + term + "'");
    const auto eq = term.find('=');
    const std::string key = term.substr(0, eq);
    const json* labels = nullptr;
    if (auto md = object.find("metadata"); md != object.end())
      if (auto l = md->find("labels"); l != md->end() && l->is_object()) labels = &*l;
    if (labels == nullptr || !labels->contains(key)) return false;
    if (eq != std::string::npos) {
      std::string value = term.substr(eq + 1);
      if (!value.empty() && value.front() == '=') value.erase(0, 1);  // "k==v"
      if ((*labels)[key] != value) return false;
    }
  }
  return true;
}

}  // namespace

MemoryApi::MemoryApi(std::string created_at) : created_at_(std::move(created_at)) {}

std::map<MemoryApi::Key, json>& MemoryApi::table(const Resource& r) { return tables_[r.path()]; }

std::string MemoryApi::next_version() { return std::to_string(++version_); }

void MemoryApi::changed(const Resource& r, WatchEvent::Type type, const json& object) {
  history_[r.path()].push_back({version_, type, object});
  changes_.notify_all();
}

void MemoryApi::compact() {
  {
    std::lock_guard lock(mu_);
    compacted_ = version_;
  }
  changes_.notify_all();
}

void MemoryApi::close_watches() {
  {
    std::lock_guard lock(mu_);
    ++closed_;
  }
  changes_.notify_all();
}

WatchResult MemoryApi::watch(const Resource& r, const WatchOptions& options,
                             const std::function<void(WatchEvent&)>& on_event, CancelToken& cancel) {
  WatchResult result;
  result.resource_version = options.resource_version;
  std::unique_lock lock(mu_);
  record("watch", r, r.namespaced ? options.namespace_name : "", "", "");
  std::int64_t from = version_;
  if (!options.resource_version.empty()) {
    try {
      from = std::stoll(options.resource_version);
    } catch (const std::exception&) {
      throw status_error(400, "BadRequest", "MemoryApi: resourceVersion \"" + options.resource_version + "\"");
    }
  }
  if (from < compacted_) {
    result.end = WatchResult::End::Expired;
    result.message = "too old resource version: " + std::to_string(from) + " (" + std::to_string(compacted_) + ")";
    return result;
  }
  const std::vector<Change>& changes = history_[r.path()];
  std::size_t next = 0;
  while (next < changes.size() && changes[next].version <= from) ++next;
  const std::uint64_t closed = closed_;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  for (;;) {
    while (next < changes.size() && closed_ == closed) {
      const Change& c = changes[next++];
      if (r.namespaced && !options.namespace_name.empty() &&
          field(c.object, "metadata", "namespace") != options.namespace_name)
        continue;
      if (!matches(c.object, options.label_selector)) continue;
      WatchEvent event{c.type, c.object};
      result.resource_version = std::to_string(c.version);
      ++result.events;
      lock.unlock();  // the handler may call back into the twin
      on_event(event);
      lock.lock();
    }
    if (cancel.cancelled()) {
      result.end = WatchResult::End::Cancelled;
      return result;
    }
    if (closed_ != closed || std::chrono::steady_clock::now() >= deadline) return result;  // End::Closed
    // Polled, as the cancel token has no hook into this condition variable.
    changes_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

void MemoryApi::record(const std::string& verb, const Resource& r, const std::string& ns, const std::string& name,
                       const std::string& subresource) {
  std::string call = verb + " " + r.plural + " " + (ns.empty() ? "" : ns + "/") + name;
  if (!subresource.empty()) call += "/" + subresource;
  calls_.push_back(call);
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (it->first == verb && it->second.first == r.path()) {
      ApiError error = it->second.second;
      failures_.erase(it);
      throw error;
    }
  }
}

void MemoryApi::fail_next(const std::string& verb, const Resource& r, ApiError error) {
  std::lock_guard lock(mu_);
  failures_.push_back({verb, {r.path(), std::move(error)}});
}

std::vector<std::string> MemoryApi::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::vector<json> MemoryApi::objects(const Resource& r) const {
  std::lock_guard lock(mu_);
  std::vector<json> out;
  if (auto t = tables_.find(r.path()); t != tables_.end())
    for (const auto& [key, object] : t->second) out.push_back(object);
  return out;
}

void MemoryApi::set_log(const std::string& ns, const std::string& pod, const std::string& container, std::string text) {
  std::lock_guard lock(mu_);
  logs_[{{ns, pod}, container}] = std::move(text);
}

std::string MemoryApi::read_log(const std::string& ns, const std::string& pod, const LogOptions& options) {
  std::lock_guard lock(mu_);
  record("log", kPods, ns, pod, "log");
  if (!table(kPods).contains({ns, pod})) throw not_found(kPods, pod);
  auto it = logs_.find({{ns, pod}, options.container});
  std::string text = it == logs_.end() ? "" : it->second;
  if (options.tail_lines > 0) {
    // The start of the last tail_lines lines (a final newline ends the last line).
    std::size_t start = text.size();
    int lines = 0;
    if (start > 0 && text[start - 1] == '\n') --start;
    while (start > 0 && lines < options.tail_lines) {
      const std::size_t nl = text.rfind('\n', start - 1);
      if (nl == std::string::npos) {
        start = 0;
        break;
      }
      if (++lines == options.tail_lines) {
        start = nl + 1;
        break;
      }
      start = nl;
    }
    text.erase(0, start);
  }
  if (options.limit_bytes > 0 && text.size() > static_cast<std::size_t>(options.limit_bytes))
    text.resize(static_cast<std::size_t>(options.limit_bytes));
  return text;
}

json MemoryApi::get(const Resource& r, const std::string& ns, const std::string& name, const std::string& subresource) {
  std::lock_guard lock(mu_);
  record("get", r, ns, name, subresource);
  auto& t = table(r);
  auto it = t.find({r.namespaced ? ns : "", name});
  if (it == t.end()) throw not_found(r, name);
  return it->second;
}

json MemoryApi::list(const Resource& r, const std::string& ns, const ListOptions& options) {
  std::lock_guard lock(mu_);
  record("list", r, ns, "", "");
  json items = json::array();
  for (const auto& [key, object] : table(r)) {
    if (r.namespaced && !ns.empty() && key.first != ns) continue;
    if (!matches(object, options.label_selector)) continue;
    items.push_back(object);
  }
  return {{"apiVersion", r.group.empty() ? r.version : r.group + "/" + r.version},
          {"kind", "List"},
          {"metadata", {{"resourceVersion", std::to_string(version_)}}},
          {"items", items}};
}

json MemoryApi::create(const Resource& r, const json& object) {
  std::lock_guard lock(mu_);
  const std::string ns = r.namespaced ? field(object, "metadata", "namespace") : "";
  const std::string name = field(object, "metadata", "name");
  record("create", r, ns, name, "");
  if (name.empty())
    throw status_error(422, "Invalid", group_resource(r) + " is invalid: metadata.name: Required value");
  if (r.namespaced && ns.empty())
    throw status_error(422, "Invalid", group_resource(r) + " \"" + name + "\" is invalid: metadata.namespace");
  auto& t = table(r);
  if (t.count({ns, name}) != 0)
    throw status_error(409, "AlreadyExists", group_resource(r) + " \"" + name + "\" already exists");
  json stored = object;
  json& md = stored["metadata"];
  // Shaped like the API server's (a UUID): what reads uids may check their form.
  char uid[40];
  std::snprintf(uid, sizeof uid, "00000000-0000-4000-8000-%012llu", static_cast<unsigned long long>(++uids_));
  md["uid"] = uid;
  md["resourceVersion"] = next_version();
  md["generation"] = 1;
  md["creationTimestamp"] = created_at_;
  if (r.plural == "pods" && !stored.contains("status")) stored["status"] = {{"phase", "Pending"}};
  t[{ns, name}] = stored;
  changed(r, WatchEvent::Type::Added, stored);
  return stored;
}

json MemoryApi::store_update(const Resource& r, json& stored, json next, const std::string& subresource) {
  const std::string name = field(stored, "metadata", "name");
  if (subresource == "status") {
    json updated = stored;
    if (next.contains("status"))
      updated["status"] = next["status"];
    else
      updated.erase("status");
    next = std::move(updated);
  } else if (!subresource.empty()) {
    throw status_error(404, "NotFound", "MemoryApi: no subresource " + subresource + " of " + group_resource(r));
  } else {
    if (has_status_subresource(r)) {
      if (stored.contains("status"))
        next["status"] = stored["status"];
      else
        next.erase("status");
    }
    if (stored.value("immutable", false) &&
        (next.value("data", json()) != stored.value("data", json()) || !next.value("immutable", false)))
      throw status_error(422, "Invalid",
                         group_resource(r) + " \"" + name +
                             "\" is invalid: data: Forbidden: field is immutable when "
                             "`immutable` is set");
    // What the server owns stays the server's.
    for (const char* key : {"uid", "creationTimestamp", "generation"}) next["metadata"][key] = stored["metadata"][key];
    if (spec_part(next) != spec_part(stored))
      next["metadata"]["generation"] = stored["metadata"].value("generation", 1) + 1;
  }
  if (next == stored) return stored;  // a no-op write keeps the resourceVersion, as on a real server
  next["metadata"]["resourceVersion"] = next_version();
  stored = std::move(next);
  changed(r, WatchEvent::Type::Modified, stored);
  return stored;
}

json MemoryApi::replace(const Resource& r, const json& object, const std::string& subresource) {
  std::lock_guard lock(mu_);
  const std::string ns = r.namespaced ? field(object, "metadata", "namespace") : "";
  const std::string name = field(object, "metadata", "name");
  record("replace", r, ns, name, subresource);
  auto& t = table(r);
  auto it = t.find({ns, name});
  if (it == t.end()) throw not_found(r, name);
  const std::string rv = field(object, "metadata", "resourceVersion");
  if (!rv.empty() && rv != field(it->second, "metadata", "resourceVersion")) throw conflict(r, name);
  json next = object;
  next["metadata"]["resourceVersion"] = field(it->second, "metadata", "resourceVersion");
  return store_update(r, it->second, std::move(next), subresource);
}

json MemoryApi::patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                      const json& patch, const std::string& subresource) {
  std::lock_guard lock(mu_);
  record("patch", r, r.namespaced ? ns : "", name, subresource);
  auto& t = table(r);
  auto it = t.find({r.namespaced ? ns : "", name});
  if (it == t.end()) throw not_found(r, name);
  json next = it->second;
  if (type == PatchType::Json) {
    try {
      next = next.patch(patch);
    } catch (const json::exception& e) {
      throw status_error(422, "Invalid", std::string("the JSON patch does not apply: ") + e.what());
    }
  } else {
    next.merge_patch(patch);
  }
  const std::string rv = field(patch, "metadata", "resourceVersion");
  if (!rv.empty() && rv != field(it->second, "metadata", "resourceVersion")) throw conflict(r, name);
  next["metadata"]["resourceVersion"] = field(it->second, "metadata", "resourceVersion");
  return store_update(r, it->second, std::move(next), subresource);
}

json MemoryApi::apply(const Resource& r, const json& object, const std::string& field_manager, bool /*force*/,
                      const std::string& subresource) {
  if (field_manager.empty()) throw std::invalid_argument("server-side apply needs a field manager");
  {
    std::lock_guard lock(mu_);
    const std::string ns = r.namespaced ? field(object, "metadata", "namespace") : "";
    const std::string name = field(object, "metadata", "name");
    auto& t = table(r);
    if (auto it = t.find({ns, name}); it != t.end()) {
      record("apply", r, ns, name, subresource);
      json next = it->second;
      next.merge_patch(object);
      return store_update(r, it->second, std::move(next), subresource);
    }
  }
  // Apply of a missing object creates it (recorded as the create it is).
  return create(r, object);
}

json MemoryApi::remove(const Resource& r, const std::string& ns, const std::string& name, const json& delete_options) {
  std::lock_guard lock(mu_);
  record("remove", r, r.namespaced ? ns : "", name, "");
  auto& t = table(r);
  auto it = t.find({r.namespaced ? ns : "", name});
  if (it == t.end()) throw not_found(r, name);
  if (delete_options.is_object()) {
    const std::string uid = field(delete_options, "preconditions", "uid");
    if (!uid.empty() && uid != field(it->second, "metadata", "uid"))
      throw status_error(409, "Conflict",
                         "Operation cannot be fulfilled on " + group_resource(r) + " \"" + name +
                             "\": Precondition failed: UID in precondition: " + uid +
                             ", UID in object meta: " + field(it->second, "metadata", "uid"));
  }
  json removed = std::move(it->second);
  t.erase(it);
  json last = removed;
  last["metadata"]["resourceVersion"] = next_version();  // a DELETED event carries the deletion's version
  changed(r, WatchEvent::Type::Deleted, last);
  return removed;
}

}  // namespace droid::kube
