#include "contract/egress_grant.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw EgressGrantError(where + ": " + what);
}

std::string required_string(const json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) fail(where + key, "is required");
  if (!it->is_string()) fail(where + key, "must be a string");
  if (it->get_ref<const std::string&>().empty()) fail(where + key, "is empty");
  return it->get<std::string>();
}

// Kubernetes names: lower-case letters, digits, '-' and '.'.
void check_name(const std::string& value, const std::string& field) {
  if (value.size() > 253 || !std::all_of(value.begin(), value.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      }))
    fail(field, "\"" + value + "\" is not a Kubernetes name (lower-case letters, digits, '-', '.')");
}

// A branch name git would accept as refs/heads/<name> (git check-ref-format, the
// parts that matter at the gateway: no "..", no control characters or ~^:?*[\ ,
// no "@{", no component starting with '.' or ending in ".lock", no leading '-').
bool valid_branch(std::string_view b) {
  if (b.empty() || b.front() == '-' || b.front() == '/' || b.back() == '/' || b.back() == '.' ||
      b.find("..") != std::string_view::npos || b.find("//") != std::string_view::npos ||
      b.find("@{") != std::string_view::npos || b == "@" || b.starts_with("refs/"))
    return false;
  if (std::any_of(b.begin(), b.end(), [](unsigned char c) {
        return c < 0x21 || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' ||
               c == '\\';
      }))
    return false;
  std::size_t start = 0;
  while (start <= b.size()) {
    std::size_t end = b.find('/', start);
    if (end == std::string_view::npos) end = b.size();
    const std::string_view part = b.substr(start, end - start);
    if (part.starts_with('.') || part.ends_with(".lock")) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string egress_grant_name(std::string_view session_uid) {
  return std::string(kEgressGrantNamePrefix) + std::string(session_uid);
}

json to_json(const EgressGrant& g) {
  json destinations = json::array();
  for (const auto& d : g.destinations) destinations.push_back(to_json(d));
  json j{{"version", kEgressGrantVersion},
         {"session", {{"namespace", g.identity.namespace_}, {"name", g.identity.name}, {"uid", g.identity.uid}}},
         {"podName", g.identity.pod_name},
         {"expiresAt", format_rfc3339(g.expires_at)},
         {"finished", g.finished},
         {"destinations", std::move(destinations)}};
  if (!g.push_branch.empty()) j["pushBranch"] = g.push_branch;
  return j;
}

std::string encode_egress_grant(const EgressGrant& grant) {
  return to_json(grant).dump(-1, ' ', false, json::error_handler_t::strict);
}

EgressGrant egress_grant_from_json(const json& j) {
  if (!j.is_object()) fail("grant", "must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    static const std::set<std::string> kKnown{"version",  "session",    "podName",     "expiresAt",
                                              "finished", "pushBranch", "destinations"};
    if (kKnown.count(key) == 0)
      fail(key, "unknown field (known: version, session, podName, expiresAt, finished, pushBranch, destinations)");
  }
  const auto version = j.find("version");
  if (version == j.end()) fail("version", "is required (" + std::to_string(kEgressGrantVersion) + ")");
  if (!version->is_number_integer() || version->get<long long>() != kEgressGrantVersion)
    fail("version",
         version->dump() + " is not a grant version this gateway reads (" + std::to_string(kEgressGrantVersion) + ")");
  EgressGrant g;
  const auto session = j.find("session");
  if (session == j.end()) fail("session", "is required ({namespace, name, uid})");
  if (!session->is_object()) fail("session", "must be an object {namespace, name, uid}");
  for (const auto& [key, value] : session->items()) {
    if (key != "namespace" && key != "name" && key != "uid")
      fail("session." + key, "unknown field (namespace, name, uid)");
  }
  g.identity.namespace_ = required_string(*session, "namespace", "session.");
  g.identity.name = required_string(*session, "name", "session.");
  g.identity.uid = required_string(*session, "uid", "session.");
  check_name(g.identity.namespace_, "session.namespace");
  check_name(g.identity.name, "session.name");
  if (g.identity.uid.size() > 128 || g.identity.uid.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos)
    fail("session.uid", "\"" + g.identity.uid + "\" is not a Kubernetes uid");
  g.identity.pod_name = required_string(j, "podName", "");
  check_name(g.identity.pod_name, "podName");
  const std::string expires = required_string(j, "expiresAt", "");
  const auto at = parse_rfc3339(expires);
  if (!at) fail("expiresAt", "\"" + expires + "\" is not an RFC 3339 time (2026-12-07T08:00:00Z)");
  g.expires_at = *at;
  if (const auto f = j.find("finished"); f != j.end()) {
    if (!f->is_boolean()) fail("finished", "must be true or false");
    g.finished = f->get<bool>();
  }
  if (const auto b = j.find("pushBranch"); b != j.end()) {
    if (!b->is_string()) fail("pushBranch", "must be a string");
    g.push_branch = b->get<std::string>();
    if (!g.push_branch.empty() && !valid_branch(g.push_branch))
      fail("pushBranch", "\"" + g.push_branch + "\" is not a branch name (\"droid/fix-bug\", without refs/heads/)");
  }
  const auto destinations = j.find("destinations");
  if (destinations == j.end()) fail("destinations", "is required (it may be empty: nothing is reachable)");
  if (!destinations->is_array()) fail("destinations", "must be a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < destinations->size(); ++i) {
    const std::string where = "destinations[" + std::to_string(i) + "]";
    g.destinations.push_back(egress_destination_from_json((*destinations)[i], where));
    if (!names.insert(g.destinations.back().name).second)
      fail(where + ".name", "\"" + g.destinations.back().name + "\" is used twice");
  }
  return g;
}

EgressGrant decode_egress_grant(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw EgressGrantError(std::string(kEgressGrantDataKey) + ": not JSON");
  try {
    return egress_grant_from_json(j);
  } catch (const EgressGrantError& e) {
    throw EgressGrantError(std::string(kEgressGrantDataKey) + ": " + e.what());
  }
}

}  // namespace droid::contract
