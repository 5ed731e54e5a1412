#include "shield/shield.h"

#include <re2/re2.h>

#include <stdexcept>

namespace droid::runner::shield {
namespace {

const nlohmann::json& shield_settings(const nlohmann::json& settings) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!settings.is_object()) return kEmpty;
  auto it = settings.find("shield");
  return it != settings.end() && it->is_object() ? *it : kEmpty;
}

std::vector<Rule> rules_for(const nlohmann::json& settings) {
  const auto& s = shield_settings(settings);
  if (!s.value("enabled", true)) return {};
  std::vector<Rule> rules = builtin_rules();
  for (auto& r : custom_rules(settings)) rules.push_back(std::move(r));
  return rules;
}

}  // namespace

std::vector<Rule> custom_rules(const nlohmann::json& settings) {
  std::vector<Rule> rules;
  const auto& s = shield_settings(settings);
  auto it = s.find("customPatterns");
  if (it == s.end() || !it->is_array()) return rules;
  for (const auto& p : *it) {
    Rule r;
    r.id = p.value("name", "custom");
    r.description = p.value("description", "custom pattern " + r.id);
    r.regex = p.value("regex", "");
    RE2 re(r.regex, RE2::Quiet);
    if (!re.ok()) throw std::invalid_argument("custom pattern " + r.id + ": bad regex: " + re.error());
    r.secret_group = re.NumberOfCapturingGroups() > 0 ? 1 : 0;
    if (auto k = p.find("keywords"); k != p.end() && k->is_array())
      for (const auto& w : *k)
        if (w.is_string() && !w.get<std::string>().empty()) r.keywords.push_back(w.get<std::string>());
    // A custom regex may match anywhere relative to its keywords: they only gate it.
    r.gate_only = true;
    rules.push_back(std::move(r));
  }
  return rules;
}

Shield::Shield(const nlohmann::json& settings, const std::vector<std::string>& known_secrets, const HashKey& key)
    : enabled_(shield_settings(settings).value("enabled", true)),
      mode_(shield_settings(settings).value("mode", "block") == "redact" ? Mode::kRedact : Mode::kBlock),
      scanner_(rules_for(settings), known_secrets),
      redactor_(key) {}

Verdict Shield::check(std::string_view text) const {
  Verdict v;
  v.findings = scanner_.scan(text);
  v.blocked = mode_ == Mode::kBlock && !v.findings.empty();
  v.text = redactor_.redact(text, v.findings);
  return v;
}

}  // namespace droid::runner::shield
