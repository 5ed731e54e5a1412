#include "policy/org_policy.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "jsonutil/lookup.h"
#include "policy/quantity.h"
#include "settings/field_path.h"

namespace droid::policy {
namespace {

using json = nlohmann::json;

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

// The smaller of two quantities given as JSON strings or numbers.
bool quantity_less(const json& a, const json& b) {
  auto qa = Quantity::parse(a.is_string() ? a.get<std::string>() : a.dump());
  auto qb = Quantity::parse(b.is_string() ? b.get<std::string>() : b.dump());
  if (!qa || !qb) return false;
  return *qa < *qb;
}

// Records that `policy` set `path` (replacing an earlier policy's claim on it).
void claim(Provenance& provenance, const std::string& path, const std::string& policy) {
  for (auto& [p, name] : provenance) {
    if (p == path) {
      name = policy;
      return;
    }
  }
  provenance.emplace_back(path, policy);
}

void merge_runner(const json& runner, json& out, Provenance& provenance, const std::string& policy) {
  for (const char* first_wins :
       {"image", "runtimeClassName", "seccompProfile", "defaultResources", "defaultTimeoutSeconds"}) {
    if (const json* v = jsonutil::find(runner, {first_wins}); v != nullptr && !out.contains(first_wins)) {
      out[first_wins] = *v;
      claim(provenance, std::string("runner.") + first_wins, policy);
    }
  }
  if (const json* v = jsonutil::find(runner, {"maxTimeoutSeconds"}); v != nullptr && v->is_number_integer()) {
    if (!out.contains("maxTimeoutSeconds") || *v < out["maxTimeoutSeconds"]) {
      out["maxTimeoutSeconds"] = *v;
      claim(provenance, "runner.maxTimeoutSeconds", policy);
    }
  }
  for (const char* kind : {"requests", "limits"}) {
    const json* max = jsonutil::find(runner, {"maxResources", kind});
    if (max == nullptr || !max->is_object()) continue;
    for (const auto& [resource, value] : max->items()) {
      json& slot = out["maxResources"][kind][resource];
      if (slot.is_null() || quantity_less(value, slot)) {
        slot = value;
        claim(provenance, settings::field_path(std::string("runner.maxResources.") + kind, resource), policy);
      }
    }
  }
}

}  // namespace

std::vector<OrgPolicy> governing_policies(const std::vector<OrgPolicy>& all, const Labels& labels) {
  std::vector<OrgPolicy> out;
  for (const auto& p : all) {
    const json* selector = jsonutil::find(p.spec, {"namespaceSelector"});
    if (selector_matches(selector != nullptr ? *selector : json(), labels)) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const OrgPolicy& a, const OrgPolicy& b) {
    const auto pa = a.spec.value("priority", 0), pb = b.spec.value("priority", 0);
    return pa != pb ? pa > pb : a.name < b.name;
  });
  return out;
}

EffectivePolicy resolve(const std::vector<OrgPolicy>& governing) {
  EffectivePolicy out;
  std::vector<json> levels;
  std::vector<std::string> level_names;
  json hashed = json::array();
  for (const auto& p : governing) {
    out.names.push_back(p.name);
    hashed.push_back({{"name", p.name}, {"spec", p.spec}});
    const json* settings = jsonutil::find(p.spec, {"settings"});
    levels.push_back(settings != nullptr ? *settings : json::object());
    level_names.push_back("orgpolicy/" + p.name);

    if (const json* runner = jsonutil::find(p.spec, {"runner"}))
      merge_runner(*runner, out.runner, out.provenance, p.name);
    if (const json* network = jsonutil::find(p.spec, {"network"})) {
      if (const json* dns = jsonutil::find(*network, {"allowDNS"});
          dns != nullptr && *dns == false && !out.network.contains("allowDNS")) {
        out.network["allowDNS"] = false;
        claim(out.provenance, "network.allowDNS", p.name);
      }
      if (const json* egress = jsonutil::find(*network, {"egress"}); egress != nullptr && egress->is_array()) {
        for (const auto& rule : *egress) {
          claim(out.provenance, settings::item_path("network.egress", out.network["egress"].size()), p.name);
          out.network["egress"].push_back(rule);
        }
      }
    }
    if (const json* gateways = jsonutil::find(p.spec, {"gateways"}); gateways != nullptr && gateways->is_array()) {
      for (const auto& g : *gateways) {
        const bool known = std::any_of(out.gateways.begin(), out.gateways.end(),
                                       [&](const json& e) { return e.value("name", "") == g.value("name", ""); });
        if (!known) {
          claim(out.provenance, settings::field_path("gateways", g.value("name", "")), p.name);
          out.gateways.push_back(g);
        }
      }
    }
    if (const json* dests = jsonutil::find(p.spec, {"egress", "destinations"}); dests != nullptr && dests->is_array()) {
      for (const auto& d : *dests) {
        const bool known = std::any_of(out.egress_destinations.begin(), out.egress_destinations.end(),
                                       [&](const json& e) { return e.value("name", "") == d.value("name", ""); });
        if (!known) {
          claim(out.provenance, settings::field_path("egress.destinations", d.value("name", "")), p.name);
          out.egress_destinations.push_back(d);
        }
      }
    }
    if (const json* telemetry = jsonutil::find(p.spec, {"telemetry"}); telemetry != nullptr && out.telemetry.empty()) {
      out.telemetry = *telemetry;
      claim(out.provenance, "telemetry", p.name);
    }
    if (const json* limits = jsonutil::find(p.spec, {"limits"}); limits != nullptr && limits->is_object()) {
      for (const auto& [key, value] : limits->items())
        if (value.is_number_integer() && (!out.limits.contains(key) || value < out.limits[key])) {
          out.limits[key] = value;
          claim(out.provenance, settings::field_path("limits", key), p.name);
        }
    }
  }
  if (!out.network.contains("allowDNS")) out.network["allowDNS"] = true;
  if (!out.network.contains("egress")) out.network["egress"] = json::array();
  out.settings = settings::merge_levels(levels, level_names);
  out.settings_levels = std::move(levels);
  out.hash = "sha256:" + sha256_hex(hashed.dump());
  return out;
}

}  // namespace droid::policy
