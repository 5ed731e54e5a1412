#include "policy/risk.h"

namespace droid::runner::policy {

std::string_view risk_name(Risk r) {
  switch (r) {
    case Risk::Low: return "low";
    case Risk::Medium: return "medium";
    case Risk::High: return "high";
  }
  return "high";
}

std::string_view decision_name(Decision d) {
  switch (d) {
    case Decision::Allow: return "allow";
    case Decision::Ask: return "ask";
    case Decision::Deny: return "deny";
    case Decision::Block: return "block";
  }
  return "block";
}

std::string_view autonomy_name(Autonomy a) {
  switch (a) {
    case Autonomy::Off: return "off";
    case Autonomy::Low: return "low";
    case Autonomy::Medium: return "medium";
    case Autonomy::High: return "high";
  }
  return "off";
}

std::optional<Autonomy> parse_autonomy(std::string_view name) {
  if (name == "off") return Autonomy::Off;
  if (name == "low") return Autonomy::Low;
  if (name == "medium") return Autonomy::Medium;
  if (name == "high") return Autonomy::High;
  return std::nullopt;
}

}  // namespace droid::runner::policy
