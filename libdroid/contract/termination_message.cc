#include "contract/termination_message.h"

#include <array>

#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 4> kOutcomes = {"Succeeded", "Failed", "TimedOut", "AwaitingApproval"};

json to_json(const TerminationMessage& m) {
  json j = {{"version", kTerminationMessageVersion},
            {"outcome", outcome_name(m.outcome)},
            {"reason", m.reason},
            {"message", m.message},
            {"result",
             {{"summary", m.result.summary},
              {"filesChanged", m.result.files_changed},
              {"branch", m.result.branch},
              {"commit", m.result.commit}}},
            {"usage",
             {{"inputTokens", m.usage.input_tokens},
              {"outputTokens", m.usage.output_tokens},
              {"llmRequests", m.usage.llm_requests},
              {"toolCalls", m.usage.tool_calls},
              {"commandsBlocked", m.usage.commands_blocked}}},
            {"traceId", m.trace_id}};
  if (m.pending_approval) {
    j["pendingApproval"] = {{"command", m.pending_approval->command},
                            {"risk", m.pending_approval->risk},
                            {"reasons", m.pending_approval->reasons}};
  }
  return j;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence, marking the cut.
void shorten(std::string& s, std::size_t max) {
  static constexpr std::string_view kMark = "…";
  if (s.size() <= max) return;
  std::size_t cut = max > kMark.size() ? max - kMark.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += kMark;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string_view outcome_name(Outcome outcome) { return kOutcomes[static_cast<std::size_t>(outcome)]; }

std::string encode(const TerminationMessage& message) {
  TerminationMessage m = message;
  std::string out = dump(to_json(m));
  // Shorten the free text, longest first, until the document fits.
  for (int round = 0; out.size() > kTerminationMessageLimit && round < 64; ++round) {
    std::vector<std::string*> texts = {&m.result.summary, &m.message, &m.reason};
    if (m.pending_approval) {
      texts.push_back(&m.pending_approval->command);
      for (auto& r : m.pending_approval->reasons) texts.push_back(&r);
    }
    std::string* longest = texts.front();
    for (std::string* t : texts)
      if (t->size() > longest->size()) longest = t;
    const std::size_t excess = out.size() - kTerminationMessageLimit;
    shorten(*longest, longest->size() > excess + 16 ? longest->size() - excess - 16 : longest->size() / 2);
    out = dump(to_json(m));
  }
  return out;
}

Decoded decode(std::string_view text) {
  Decoded d;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    d.error = "the termination message is not a JSON object";
    return d;
  }
  if (j.value("version", "") != kTerminationMessageVersion) {
    d.error = "unsupported termination message version \"" + j.value("version", "") + "\" (expected \"" +
              std::string(kTerminationMessageVersion) + "\")";
    return d;
  }
  try {
    TerminationMessage m;
    const std::string outcome = j.at("outcome").get<std::string>();
    bool known = false;
    for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
      if (kOutcomes[i] == outcome) {
        m.outcome = static_cast<Outcome>(i);
        known = true;
      }
    }
    if (!known) {
      d.error = "unknown outcome \"" + outcome + "\"";
      return d;
    }
    m.reason = j.value("reason", "");
    m.message = j.value("message", "");
    const json r = j.value("result", json::object());
    m.result = {r.value("summary", ""), r.value("filesChanged", std::int64_t{0}), r.value("branch", ""),
                r.value("commit", "")};
    const json u = j.value("usage", json::object());
    m.usage = {u.value("inputTokens", std::int64_t{0}), u.value("outputTokens", std::int64_t{0}),
               u.value("llmRequests", std::int64_t{0}), u.value("toolCalls", std::int64_t{0}),
               u.value("commandsBlocked", std::int64_t{0})};
    m.trace_id = j.value("traceId", "");
    if (auto p = j.find("pendingApproval"); p != j.end() && p->is_object()) {
      m.pending_approval = PendingApproval{p->value("command", ""), p->value("risk", ""),
                                           p->value("reasons", std::vector<std::string>{})};
    }
    d.message = std::move(m);
  } catch (const json::exception& e) {
    d.error = std::string("malformed termination message: ") + e.what();
  }
  return d;
}

}  // namespace droid::contract
