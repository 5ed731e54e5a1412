#include "render.h"

#include <algorithm>

#include <ctime>
#include <sstream>
#include <vector>

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

std::string str(const json& obj, std::initializer_list<const char*> path) {
  const json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) return "";
    cur = &(*cur)[key];
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_null()) return "";
  return cur->dump();
}

const json* condition(const json& session, const std::string& type) {
  const json* conds = nullptr;
  if (session.contains("status") && session["status"].is_object() && session["status"].contains("conditions"))
    conds = &session["status"]["conditions"];
  if (conds == nullptr || !conds->is_array()) return nullptr;
  for (const auto& c : *conds)
    if (c.is_object() && c.value("type", "") == type) return &c;
  return nullptr;
}

bool parse_rfc3339(const std::string& text, TimePoint& out) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return false;
  out = std::chrono::system_clock::from_time_t(timegm(&tm));
  return true;
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(widths[i] - r[i].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string or_none(const std::string& s) { return s.empty() ? "<none>" : s; }

std::string usage_line(const json& usage) {
  // "1 tool call", "2 tool calls"; "command blocked" / "commands blocked".
  auto n = [&](const char* key, const std::string& one, const std::string& many) {
    const long long v = usage.value(key, 0LL);
    return std::to_string(v) + " " + (v == 1 ? one : many);
  };
  return n("inputTokens", "input token", "input tokens") + ", " + n("outputTokens", "output token", "output tokens") +
         ", " + n("llmRequests", "LLM request", "LLM requests") + ", " + n("toolCalls", "tool call", "tool calls") +
         ", " + n("commandsBlocked", "command blocked", "commands blocked");
}

void indented(std::string& out, const std::string& text, const std::string& indent) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out += indent + line + "\n";
}

}  // namespace

std::string human_duration(std::chrono::seconds d) {
  const long long s = d.count() < 0 ? 0 : d.count();
  const long long m = s / 60, h = s / 3600, days = s / 86400;
  if (s < 120) return std::to_string(s) + "s";
  if (m < 10) return std::to_string(m) + "m" + (s % 60 == 0 ? "" : std::to_string(s % 60) + "s");
  if (h < 3) return std::to_string(m) + "m";
  if (h < 8) return std::to_string(h) + "h" + (m % 60 == 0 ? "" : std::to_string(m % 60) + "m");
  if (h < 48) return std::to_string(h) + "h";
  if (days < 8) return std::to_string(days) + "d" + (h % 24 == 0 ? "" : std::to_string(h % 24) + "h");
  if (days < 730) return std::to_string(days) + "d";  // two years
  return std::to_string(days / 365) + "y";
}

std::string age(const std::string& timestamp, TimePoint now) {
  TimePoint t;
  if (!parse_rfc3339(timestamp, t)) return "<unknown>";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

std::string rfc3339(TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ready_reason(const json& session) {
  const json* c = condition(session, "Ready");
  return c == nullptr ? "" : c->value("reason", "");
}

std::string ready_message(const json& session) {
  const json* c = condition(session, "Ready");
  return c == nullptr ? "" : c->value("message", "");
}

std::string sessions_table(const json& items, const TableOptions& options, TimePoint now) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  if (options.all_namespaces) header.emplace_back("NAMESPACE");
  for (const char* h : {"NAME", "PHASE", "MODEL", "AUTONOMY", "REASON", "AGE"}) header.emplace_back(h);
  if (options.wide)
    for (const char* h : {"REQUESTER", "POD", "PENDING-APPROVAL"}) header.emplace_back(h);
  // What each waiting session asks, whenever one waits (wide shows it always).
  const bool waiting = !options.wide && std::any_of(items.begin(), items.end(), [](const json& s) {
    return str(s, {"status", "phase"}) == "AwaitingApproval";
  });
  if (waiting) header.emplace_back("WAITING-FOR");
  rows.push_back(header);
  for (const auto& s : items) {
    std::vector<std::string> row;
    if (options.all_namespaces) row.push_back(str(s, {"metadata", "namespace"}));
    row.push_back(str(s, {"metadata", "name"}));
    row.push_back(or_none(str(s, {"status", "phase"})));
    row.push_back(or_none(str(s, {"spec", "model"})));
    row.push_back(or_none(str(s, {"spec", "autonomyLevel"})));
    row.push_back(or_none(ready_reason(s)));
    row.push_back(age(str(s, {"metadata", "creationTimestamp"}), now));
    if (options.wide) {
      row.push_back(or_none(str(s, {"status", "requester", "username"})));
      row.push_back(or_none(str(s, {"status", "podName"})));
      row.push_back(or_none(str(s, {"status", "pendingApproval", "command"})));
    }
    if (waiting)
      row.push_back(str(s, {"status", "phase"}) == "AwaitingApproval"
                        ? or_none(str(s, {"status", "pendingApproval", "command"}))
                        : "");
    rows.push_back(std::move(row));
  }
  return table(rows);
}

std::string describe_session(const json& s, TimePoint now) {
  std::string out;
  auto field = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) out += label + ":" + std::string(label.size() < 18 ? 18 - label.size() : 1, ' ') + value + "\n";
  };
  field("Name", str(s, {"metadata", "name"}));
  field("Namespace", str(s, {"metadata", "namespace"}));
  field("Created", str(s, {"metadata", "creationTimestamp"}) + " (" +
                       age(str(s, {"metadata", "creationTimestamp"}), now) + " ago)");
  field("Requester", str(s, {"status", "requester", "username"}));
  field("Phase", or_none(str(s, {"status", "phase"})));
  const std::string reason = ready_reason(s);
  if (!reason.empty()) field("Reason", reason + (ready_message(s).empty() ? "" : ": " + ready_message(s)));
  field("Model", str(s, {"spec", "model"}));
  field("Autonomy", str(s, {"spec", "autonomyLevel"}));
  field("Environment", str(s, {"spec", "environment"}));
  std::string repo = str(s, {"spec", "repository", "url"});
  if (!repo.empty() && !str(s, {"spec", "repository", "ref"}).empty())
    repo += " @ " + str(s, {"spec", "repository", "ref"});
  field("Repository", repo);
  field("Push branch", str(s, {"spec", "output", "pushBranch"}));
  // The timeout in force (status: fixed at admission, the policy's default included), else the asked one.
  std::string timeout = str(s, {"status", "timeoutSeconds"});
  if (timeout.empty()) timeout = str(s, {"spec", "timeoutSeconds"});
  field("Timeout", timeout.empty() ? "" : timeout + "s");
  if (s.contains("spec") && s["spec"].value("cancel", false)) field("Cancel", "requested");
  field("Pod", str(s, {"status", "podName"}));
  field("Started", str(s, {"status", "startTime"}));
  field("Completed", str(s, {"status", "completionTime"}));
  field("Trace ID", str(s, {"status", "traceId"}));
  if (s.contains("status") && s["status"].contains("policy")) {
    std::string names;
    for (const auto& n : s["status"]["policy"].value("names", json::array()))
      names += (names.empty() ? "" : ", ") + n.get<std::string>();
    field("OrgPolicies", names.empty() ? "<none>" : names);
  }
  const std::string prompt = str(s, {"spec", "prompt"});
  if (!prompt.empty()) {
    out += "Prompt:\n";
    indented(out, prompt, "  ");
  }
  const json* pending = nullptr;
  if (s.contains("status") && s["status"].contains("pendingApproval")) pending = &s["status"]["pendingApproval"];
  if (pending != nullptr && str(s, {"status", "phase"}) == "AwaitingApproval") {
    out += "Pending approval:\n";
    out += "  Command:  " + pending->value("command", "") + "\n";
    if (pending->contains("risk")) out += "  Risk:     " + pending->value("risk", "") + "\n";
    for (const auto& r : pending->value("reasons", json::array())) out += "  Reason:   " + r.get<std::string>() + "\n";
    if (pending->contains("requestedAt")) out += "  Since:    " + pending->value("requestedAt", "") + "\n";
    out += "  Approve:  kubectl droid approve " + str(s, {"metadata", "name"}) + " -n " +
           str(s, {"metadata", "namespace"}) + "\n";
  }
  if (s.contains("spec") && s["spec"].contains("approvals") && !s["spec"]["approvals"].empty()) {
    out += "Approvals:\n";
    for (const auto& a : s["spec"]["approvals"]) {
      out += "  - " + a.value("command", "");
      std::string by = a.value("approvedBy", "");
      if (!by.empty()) out += "  (by " + by;
      if (!a.value("approvedAt", "").empty()) out += (by.empty() ? "  (at " : ", at ") + a.value("approvedAt", "");
      if (!by.empty() || !a.value("approvedAt", "").empty()) out += ")";
      out += "\n";
      if (!a.value("comment", "").empty()) out += "    " + a.value("comment", "") + "\n";
    }
  }
  if (s.contains("status") && s["status"].contains("conditions") && !s["status"]["conditions"].empty()) {
    std::vector<std::vector<std::string>> rows{{"TYPE", "STATUS", "REASON", "AGE", "MESSAGE"}};
    for (const auto& c : s["status"]["conditions"])
      rows.push_back({c.value("type", ""), c.value("status", ""), c.value("reason", ""),
                      age(c.value("lastTransitionTime", ""), now), c.value("message", "")});
    out += "Conditions:\n";
    indented(out, table(rows), "  ");
  }
  if (s.contains("status") && s["status"].contains("usage"))
    out += "Usage:\n  " + usage_line(s["status"]["usage"]) + "\n";
  if (s.contains("status") && s["status"].contains("result")) {
    const json& r = s["status"]["result"];
    out += "Result:\n";
    if (!r.value("summary", "").empty()) indented(out, r.value("summary", ""), "  ");
    out += "  Files changed: " + std::to_string(r.value("filesChanged", 0LL)) + "\n";
    if (!r.value("branch", "").empty()) out += "  Branch:        " + r.value("branch", "") + "\n";
    if (!r.value("commit", "").empty()) out += "  Commit:        " + r.value("commit", "") + "\n";
  }
  return out;
}

std::string phase_line(const json& session) {
  std::string line = or_none(str(session, {"status", "phase"}));
  const std::string reason = ready_reason(session);
  const std::string message = ready_message(session);
  if (!reason.empty() && reason != line) line += " (" + reason + ")";
  if (!message.empty()) line += ": " + message;
  return line;
}

std::string result_text(const json& s) {
  const std::string phase = str(s, {"status", "phase"});
  std::string out = "Session " + str(s, {"metadata", "name"}) + " " + or_none(phase);
  const std::string reason = ready_reason(s);
  if (!reason.empty() && reason != phase) out += " (" + reason + ")";
  if (!ready_message(s).empty()) out += ": " + ready_message(s);
  out += "\n";
  if (s.contains("status") && s["status"].contains("result")) {
    const json& r = s["status"]["result"];
    if (!r.value("summary", "").empty()) {
      out += "Summary:\n";
      indented(out, r.value("summary", ""), "  ");
    }
    out += "Files changed: " + std::to_string(r.value("filesChanged", 0LL)) + "\n";
    if (!r.value("branch", "").empty()) out += "Branch: " + r.value("branch", "") + "\n";
    if (!r.value("commit", "").empty()) out += "Commit: " + r.value("commit", "") + "\n";
  }
  if (s.contains("status") && s["status"].contains("usage")) out += "Usage: " + usage_line(s["status"]["usage"]) + "\n";
  if (!str(s, {"status", "traceId"}).empty()) out += "Trace ID: " + str(s, {"status", "traceId"}) + "\n";
  return out;
}

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./=:,+@%") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace droid::kubectl
