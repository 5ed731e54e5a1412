// The system prompt of a session: who the agent is, where it works, what its
// autonomy allows, the organisation's and project's `rules` (settings), and the
// guardrail notice about untrusted tool output. Deterministic for one input, so
// the scripted gateway's scenarios can match on it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "policy/risk.h"

namespace droid::runner::agent {

struct PromptContext {
  std::string workspace;
  policy::Autonomy autonomy = policy::Autonomy::Off;
  nlohmann::json settings = nlohmann::json::object();  // effective; `rules` is read
  std::string untrusted_notice;                        // Guardrails::system_notice()
  std::string extra_context;                           // SessionStart hooks' additionalContext
  bool headless = true;                                // no human answers questions mid-session
};

std::string system_prompt(const PromptContext& context);

}  // namespace droid::runner::agent
