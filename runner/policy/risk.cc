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

}  // namespace droid::runner::policy
