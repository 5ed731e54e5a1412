#include "explain.h"

#include <algorithm>
#include <set>

namespace droid::kubectl {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

std::string selector_text(const json& selector) {
  if (!selector.is_object() || selector.empty()) return "(all namespaces)";
  std::string out;
  const json match_labels = selector.value("matchLabels", json::object());
  for (const auto& [k, v] : match_labels.items())
    out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  for (const auto& e : selector.value("matchExpressions", json::array())) {
    out += (out.empty() ? "" : ",") + e.value("key", "") + " " + e.value("operator", "");
    if (e.contains("values")) out += " " + e["values"].dump();
  }
  return out.empty() ? "(all namespaces)" : out;
}

std::string short_value(const json& v) {
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

}  // namespace

json value_at(const json& doc, const std::string& path) {
  const json* cur = &doc;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      if (i + 1 < path.size() && path[i + 1] == '"') {
        std::string key;
        std::size_t j = i + 2;
        for (; j < path.size() && path[j] != '"'; ++j) {
          if (path[j] == '\\' && j + 1 < path.size()) ++j;
          key += path[j];
        }
        i = j + 2;  // past "]
        if (!cur->is_object() || !cur->contains(key)) return nullptr;
        cur = &(*cur)[key];
      } else {
        const std::size_t close = path.find(']', i);
        if (close == std::string::npos) return nullptr;
        const std::string digits = path.substr(i + 1, close - i - 1);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return nullptr;
        const std::size_t index = std::stoul(digits);
        if (!cur->is_array() || index >= cur->size()) return nullptr;
        cur = &(*cur)[index];
        i = close + 1;
      }
      continue;
    }
    const std::size_t end = path.find_first_of(".[", i);
    const std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    i = end == std::string::npos ? path.size() : end;
  }
  return *cur;
}

std::vector<policy::OrgPolicy> org_policies(const json& items) {
  std::vector<policy::OrgPolicy> out;
  for (const auto& item : items)
    out.push_back({item["metadata"].value("name", ""), item.value("spec", json::object())});
  return out;
}

ojson explain_policy(const std::string& ns, const policy::Labels& labels, const std::vector<policy::OrgPolicy>& all) {
  const auto governing = policy::governing_policies(all, labels);
  const policy::EffectivePolicy effective = policy::resolve(governing);
  ojson out;
  out["namespace"] = ns;
  out["labels"] = labels;
  out["governing"] = ojson::array();
  std::set<std::string> governing_names;
  for (const auto& p : governing) {
    governing_names.insert(p.name);
    out["governing"].push_back({{"name", p.name},
                                {"priority", p.spec.value("priority", 0)},
                                {"namespaceSelector", p.spec.value("namespaceSelector", json::object())}});
  }
  out["notGoverning"] = ojson::array();
  for (const auto& p : all)
    if (governing_names.count(p.name) == 0) out["notGoverning"].push_back(p.name);
  out["hash"] = effective.hash;
  out["fields"] = ojson::array();
  const std::string prefix = "orgpolicy/";
  for (const auto& [path, level] : effective.settings.provenance) {
    std::string by = effective.settings.level_names.at(level);
    if (by.rfind(prefix, 0) == 0) by.erase(0, prefix.size());
    out["fields"].push_back(
        {{"path", "settings." + path}, {"value", value_at(effective.settings.settings, path)}, {"setBy", by}});
  }
  const json sections = {{"runner", effective.runner},
                         {"network", effective.network},
                         {"gateways", effective.gateways},
                         {"telemetry", effective.telemetry},
                         {"limits", effective.limits}};
  for (const auto& [path, by] : effective.provenance) {
    json value;
    if (path.rfind("gateways", 0) == 0) {
      std::string name = path.substr(std::string("gateways").size());
      if (!name.empty() && name[0] == '.') name.erase(0, 1);
      if (name.size() > 4 && name.rfind("[\"", 0) == 0) name = name.substr(2, name.size() - 4);
      for (const auto& g : effective.gateways)
        if (g.value("name", "") == name) value = g;
    } else {
      value = value_at(sections, path);
    }
    out["fields"].push_back({{"path", path}, {"value", value}, {"setBy", by}});
  }
  out["notes"] = effective.settings.notes;
  out["errors"] = ojson::array();
  for (const auto& e : effective.settings.errors) out["errors"].push_back(e.path + ": " + e.message);
  out["effective"] = {
      {"settings", effective.settings.settings}, {"runner", effective.runner},       {"network", effective.network},
      {"gateways", effective.gateways},          {"telemetry", effective.telemetry}, {"limits", effective.limits}};
  return out;
}

std::string explanation_text(const ojson& explanation) {
  // Plain json from here on: the key order of the document does not matter to the text.
  const json e = json::parse(explanation.dump());
  std::string out = "Namespace: " + e.value("namespace", "");
  std::string labels;
  for (const auto& [k, v] : e["labels"].items()) labels += (labels.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  out += labels.empty() ? "\n" : " (labels " + labels + ")\n";
  if (e["governing"].empty()) {
    out += "No OrgPolicy governs this namespace: nothing is restricted beyond the CRD's rules.\n";
  } else {
    out += "Governing OrgPolicies, highest precedence first (priority, then name):\n";
    int i = 0;
    for (const auto& p : e["governing"])
      out += "  " + std::to_string(++i) + ". " + p.value("name", "") + "  priority " +
             std::to_string(p.value("priority", 0)) + "  selector " + selector_text(p["namespaceSelector"]) + "\n";
  }
  if (!e["notGoverning"].empty()) {
    std::string names;
    for (const auto& n : e["notGoverning"]) names += (names.empty() ? "" : ", ") + n.get<std::string>();
    out += "Not governing (their namespaceSelector does not match): " + names + "\n";
  }
  if (!e["fields"].empty()) {
    std::size_t width = 5;
    for (const auto& f : e["fields"]) width = std::max(width, f.value("path", "").size());
    std::size_t vwidth = 5;
    for (const auto& f : e["fields"]) vwidth = std::max(vwidth, short_value(f["value"]).size());
    out += "\nEffective fields:\n";
    auto row = [&](const std::string& a, const std::string& b, const std::string& c) {
      out += "  " + a + std::string(width - a.size() + 3, ' ') + b + std::string(vwidth - b.size() + 3, ' ') + c + "\n";
    };
    row("FIELD", "VALUE", "SET BY");
    for (const auto& f : e["fields"]) row(f.value("path", ""), short_value(f["value"]), f.value("setBy", ""));
  }
  if (!e["notes"].empty()) {
    out += "\nNotes (values that had no effect):\n";
    for (const auto& n : e["notes"]) out += "  - " + n.get<std::string>() + "\n";
  }
  if (!e["errors"].empty()) {
    out += "\nProblems (sessions here will be denied):\n";
    for (const auto& n : e["errors"]) out += "  - " + n.get<std::string>() + "\n";
  }
  if (!e["governing"].empty()) out += "\nPolicy hash: " + e.value("hash", "") + "\n";
  return out;
}

}  // namespace droid::kubectl
