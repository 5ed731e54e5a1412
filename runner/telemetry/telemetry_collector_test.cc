// Telemetry against the real OpenTelemetry Collector of the test bed
// (scripts/build-tools.sh otelcol; its path in DROID_OTELCOL): the collector
// receives OTLP/HTTP on a free port and writes what it got, as OTLP JSON lines,
// with its file exporter; the tests read that file back.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "llm/testing/test_pki.h"
#include "telemetry/telemetry.h"
#include "telemetry/testing/collector.h"
#include "telemetry/trace_id.h"

extern char** environ;

namespace droid::runner::telemetry {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::steady_clock;
using testing::Collector;
using testing::read_file;
using testing::wait_for;

constexpr char kSecret[] = "sk-live-7f3c9a1e5b2d4f6081a9c3e5d7f9b1a3";
constexpr char kPlaceholder[] = "[REDACTED:api-key]";

std::string redact_secret(std::string_view text) {
  std::string out(text);
  for (std::size_t at = out.find(kSecret); at != std::string::npos; at = out.find(kSecret, at)) {
    out.replace(at, sizeof(kSecret) - 1, kPlaceholder);
  }
  return out;
}

// ---- Reading the file exporter's OTLP JSON -------------------------------

// An OTLP AnyValue as a string: stringValue as is, intValue (a JSON string in
// OTLP JSON) as its digits, others dumped.
std::string any_value(const json& v) {
  if (v.contains("stringValue")) return v["stringValue"].get<std::string>();
  if (v.contains("intValue")) {
    return v["intValue"].is_string() ? v["intValue"].get<std::string>() : v["intValue"].dump();
  }
  if (v.contains("boolValue")) return v["boolValue"].get<bool>() ? "true" : "false";
  if (v.contains("arrayValue")) {
    std::string out;
    for (const auto& item : v["arrayValue"].value("values", json::array())) {
      out += (out.empty() ? "" : ",") + any_value(item);
    }
    return out;
  }
  return v.dump();
}

std::map<std::string, std::string> attributes(const json& holder) {
  std::map<std::string, std::string> out;
  for (const auto& kv : holder.value("attributes", json::array())) out[kv["key"]] = any_value(kv["value"]);
  return out;
}

// The attribute `key`, or a marker naming it when it is missing.
std::string get(const std::map<std::string, std::string>& attributes, const std::string& key) {
  const auto it = attributes.find(key);
  return it == attributes.end() ? "<no attribute " + key + ">" : it->second;
}

struct SpanRecord {
  std::string trace_id, span_id, parent_span_id, name;
  int kind = 0;
  int status_code = 0;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> resource;
  std::vector<std::string> events;
};

struct MetricPoint {
  std::string metric;
  std::map<std::string, std::string> attributes;
  std::string kind;  // sum | histogram
  double value = 0;  // sum's value; histogram's sum
  std::uint64_t count = 0;
  std::map<std::string, std::string> resource;
};

struct LogRecord {
  std::string body, trace_id, span_id;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> resource;
};

struct Received {
  std::vector<SpanRecord> spans;
  std::vector<MetricPoint> points;  // in arrival order: for a cumulative sum the last one counts
  std::vector<LogRecord> logs;
};

double number(const json& dp) {
  if (dp.contains("asInt"))
    return std::stod(dp["asInt"].is_string() ? dp["asInt"].get<std::string>() : dp["asInt"].dump());
  if (dp.contains("asDouble")) return dp["asDouble"].get<double>();
  return 0;
}

// Every complete line of the file exporter's output (a line still being
// written is skipped until it is whole).
Received parse(const std::string& text) {
  Received r;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) continue;
    for (const auto& rs : doc.value("resourceSpans", json::array())) {
      const auto resource = attributes(rs.value("resource", json::object()));
      for (const auto& ss : rs.value("scopeSpans", json::array())) {
        for (const auto& s : ss.value("spans", json::array())) {
          SpanRecord span{s.value("traceId", ""),
                          s.value("spanId", ""),
                          s.value("parentSpanId", ""),
                          s.value("name", ""),
                          s.value("kind", 0),
                          0,
                          attributes(s),
                          resource,
                          {}};
          if (s.contains("status")) span.status_code = s["status"].value("code", 0);
          for (const auto& e : s.value("events", json::array())) span.events.push_back(e.value("name", ""));
          r.spans.push_back(std::move(span));
        }
      }
    }
    for (const auto& rm : doc.value("resourceMetrics", json::array())) {
      const auto resource = attributes(rm.value("resource", json::object()));
      for (const auto& sm : rm.value("scopeMetrics", json::array())) {
        for (const auto& m : sm.value("metrics", json::array())) {
          const std::string name = m.value("name", "");
          if (m.contains("sum")) {
            for (const auto& dp : m["sum"].value("dataPoints", json::array())) {
              r.points.push_back({name, attributes(dp), "sum", number(dp), 0, resource});
            }
          }
          if (m.contains("histogram")) {
            for (const auto& dp : m["histogram"].value("dataPoints", json::array())) {
              const json count = dp.value("count", json("0"));
              r.points.push_back(
                  {name, attributes(dp), "histogram", dp.value("sum", 0.0),
                   count.is_string() ? std::stoull(count.get<std::string>()) : count.get<std::uint64_t>(), resource});
            }
          }
        }
      }
    }
    for (const auto& rl : doc.value("resourceLogs", json::array())) {
      const auto resource = attributes(rl.value("resource", json::object()));
      for (const auto& sl : rl.value("scopeLogs", json::array())) {
        for (const auto& l : sl.value("logRecords", json::array())) {
          r.logs.push_back({l.contains("body") ? any_value(l["body"]) : "", l.value("traceId", ""),
                            l.value("spanId", ""), attributes(l), resource});
        }
      }
    }
  }
  return r;
}

// The last point of `metric` whose attributes include `match`.
const MetricPoint* last_point(const Received& r, const std::string& metric,
                              const std::map<std::string, std::string>& match) {
  const MetricPoint* found = nullptr;
  for (const auto& p : r.points) {
    if (p.metric != metric) continue;
    bool all = true;
    for (const auto& [k, v] : match) {
      const auto it = p.attributes.find(k);
      all = all && it != p.attributes.end() && it->second == v;
    }
    if (all) found = &p;
  }
  return found;
}

const SpanRecord* span_named(const Received& r, const std::string& name) {
  for (const auto& s : r.spans) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

LlmCall llm_call(const std::string& provider, const std::string& model, const std::string& response_id,
                 const std::string& finish_reason, std::int64_t input_tokens, std::int64_t output_tokens) {
  LlmCall call;
  call.provider = provider;
  call.request_model = model;
  call.response_model = model.empty() ? "" : model + "-32b";
  call.response_id = response_id;
  call.finish_reason = finish_reason;
  call.input_tokens = input_tokens;
  call.output_tokens = output_tokens;
  return call;
}

ToolCall tool_call(const std::string& name, const std::string& call_id, const std::string& outcome,
                   const std::string& risk, const std::string& decision) {
  ToolCall call;
  call.name = name;
  call.call_id = call_id;
  call.outcome = outcome;
  call.risk = risk;
  call.decision = decision;
  return call;
}

class TelemetryCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "droid-telemetry-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    collector_ = start_collector(dir_, "", "");
    ASSERT_NE(collector_, nullptr);
  }

  // A collector writing into `dir`; nullptr (and a failure) when it does not start.
  static std::unique_ptr<Collector> start_collector(const fs::path& dir, const std::string& tls_cert,
                                                    const std::string& tls_key) {
    // The free port may be taken between the probe and the collector's bind
    // (tests run in parallel): then another port.
    for (int attempt = 1;; ++attempt) {
      try {
        return std::make_unique<Collector>(dir, tls_cert, tls_key);
      } catch (const std::exception& e) {
        const bool port_taken = std::string(e.what()).find("address already in use") != std::string::npos;
        if (!port_taken || attempt == 3) {
          ADD_FAILURE() << e.what();
          return nullptr;
        }
      }
    }
  }

  void TearDown() override {
    collector_.reset();
    if (!HasFailure())
      fs::remove_all(dir_);
    else
      std::cerr << "kept " << dir_ << " (collector log and output)\n";
  }

  Config config(const std::string& session) const {
    Config c;
    c.endpoint = collector_->endpoint();
    c.export_timeout = std::chrono::seconds(10);
    c.resource_attributes = {
        {"droid.session", session},          {"droid.namespace", "team-a"},
        {"enduser.id", "alice@example.com"}, {"droid.team", "payments"},
        {"deployment.environment", "ci"},    {"droid.policy.hash", std::string("sha256:") + kSecret}};
    c.redact = redact_secret;
    return c;
  }

  // Polls the collector's output until `complete` holds for what it has
  // received (generous timeout: a loaded CI machine is slow).
  Received wait_for_output(const std::function<bool(const Received&)>& complete) const {
    return wait_for_output(*collector_, complete);
  }
  static Received wait_for_output(const Collector& collector, const std::function<bool(const Received&)>& complete) {
    Received r;
    const bool ok = wait_for(
        [&] {
          if (!fs::exists(collector.output())) return false;
          r = parse(read_file(collector.output()));
          return complete(r);
        },
        std::chrono::seconds(60));
    EXPECT_TRUE(ok) << "the collector's output did not get everything within 60 s; it has " << r.spans.size()
                    << " spans, " << r.points.size() << " metric points, " << r.logs.size() << " log records";
    return r;
  }

  fs::path dir_;
  std::unique_ptr<Collector> collector_;
};

// A fake session: two LLM calls, an allowed shell command, a blocked one, and
// audit events; the secret is in a resource attribute, a tool call id, an
// audit event (value, nested value and key), a model's error and the reason.
TEST_F(TelemetryCollectorTest, ASessionArrivesWhole) {
  auto t = Telemetry::make(config("team-a/fix-1"));
  const std::string trace_id = t->trace_id();
  ASSERT_TRUE(is_valid_trace_id(trace_id)) << trace_id;

  auto llm1 = t->start_llm_call("qwen-coder");
  llm1->end_llm(llm_call("openai", "qwen-coder", "chatcmpl-1", "tool_calls", 100, 20));
  auto shell = t->start_tool_call("shell", "call_1");
  shell->end_tool(tool_call("shell", "call_1", "ok", "low", "allow"));
  auto blocked = t->start_tool_call("shell", std::string("call_") + kSecret);
  blocked->end_tool(tool_call("shell", "", "blocked", "high", "block"));
  t->blocked("command");
  t->audit({{"event", "tool_call"},
            {"tool", "shell"},
            {"decision", "block"},
            {"command", std::string("curl -H 'Authorization: Bearer ") + kSecret + "' https://x"},
            {"reasons", json::array({"high risk", std::string("leaks ") + kSecret})},
            {kSecret, "as a key"}});
  auto llm2 = t->start_llm_call("qwen-coder");
  llm2->end_llm(llm_call("openai", "qwen-coder", "chatcmpl-2", "stop", 150, 30));
  t->audit({{"event", "session_end"}, {"outcome", "Succeeded"}});
  t->finish("Succeeded", std::string("Completed ") + kSecret);

  const Received r = wait_for_output([](const Received& got) {
    const MetricPoint* input = last_point(got, "droid.tokens", {{"gen_ai.token.type", "input"}});
    return got.spans.size() >= 5 && got.logs.size() >= 2 && input != nullptr && input->value >= 250 &&
           last_point(got, "droid.session.duration", {}) != nullptr;
  });

  // The secret left the process nowhere: not in the exported data, not in what
  // the collector logged of it (debug exporter, detailed).
  const std::string everything = read_file(collector_->output());
  EXPECT_EQ(everything.find(kSecret), std::string::npos) << "the secret reached the collector's output";
  EXPECT_NE(everything.find(kPlaceholder), std::string::npos);
  const std::string collector_log = read_file(collector_->log_path());
  EXPECT_EQ(collector_log.find(kSecret), std::string::npos) << "the secret reached the collector's log";

  // Traces: one trace, the session span the parent of every other.
  ASSERT_EQ(r.spans.size(), 5U);
  const SpanRecord* session = span_named(r, "session");
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->trace_id, trace_id);
  EXPECT_EQ(session->parent_span_id, "");
  EXPECT_EQ(get(session->attributes, "droid.session.outcome"), "Succeeded");
  EXPECT_EQ(get(session->attributes, "droid.session.reason"), std::string("Completed ") + kPlaceholder);
  EXPECT_EQ(session->status_code, 1);  // STATUS_CODE_OK
  EXPECT_EQ(std::count(session->events.begin(), session->events.end(), "droid.blocked"), 1);
  int chats = 0;
  int tools = 0;
  for (const auto& s : r.spans) {
    EXPECT_EQ(s.trace_id, trace_id) << s.name;
    if (&s == session) continue;
    EXPECT_EQ(s.parent_span_id, session->span_id) << s.name;
    if (s.name == "chat qwen-coder") {
      ++chats;
      EXPECT_EQ(s.kind, 3) << "SPAN_KIND_CLIENT";
      EXPECT_EQ(get(s.attributes, "gen_ai.operation.name"), "chat");
      EXPECT_EQ(get(s.attributes, "gen_ai.system"), "openai");
      EXPECT_EQ(get(s.attributes, "gen_ai.request.model"), "qwen-coder");
      EXPECT_EQ(get(s.attributes, "gen_ai.response.model"), "qwen-coder-32b");
      const bool first = get(s.attributes, "gen_ai.response.id") == "chatcmpl-1";
      EXPECT_EQ(get(s.attributes, "gen_ai.usage.input_tokens"), first ? "100" : "150");
      EXPECT_EQ(get(s.attributes, "gen_ai.usage.output_tokens"), first ? "20" : "30");
      EXPECT_EQ(get(s.attributes, "gen_ai.response.finish_reasons"), first ? "tool_calls" : "stop");
    } else if (s.name == "execute_tool shell") {
      ++tools;
      EXPECT_EQ(get(s.attributes, "gen_ai.operation.name"), "execute_tool");
      EXPECT_EQ(get(s.attributes, "gen_ai.tool.name"), "shell");
      const bool allowed = get(s.attributes, "gen_ai.tool.call.id") == "call_1";
      if (!allowed) {
        EXPECT_EQ(get(s.attributes, "gen_ai.tool.call.id"), std::string("call_") + kPlaceholder);
      }
      EXPECT_EQ(get(s.attributes, "droid.tool.outcome"), allowed ? "ok" : "blocked");
      EXPECT_EQ(get(s.attributes, "droid.command.risk"), allowed ? "low" : "high");
      EXPECT_EQ(get(s.attributes, "droid.command.decision"), allowed ? "allow" : "block");
    } else {
      ADD_FAILURE() << "unexpected span " << s.name;
    }
  }
  EXPECT_EQ(chats, 2);
  EXPECT_EQ(tools, 2);

  // Resource attributes, the same on every signal.
  for (const auto* resource : {&session->resource, &r.points.back().resource, &r.logs.back().resource}) {
    EXPECT_EQ(get(*resource, "service.name"), "droid-runner");
    EXPECT_EQ(get(*resource, "droid.session"), "team-a/fix-1");
    EXPECT_EQ(get(*resource, "droid.namespace"), "team-a");
    EXPECT_EQ(get(*resource, "enduser.id"), "alice@example.com");
    EXPECT_EQ(get(*resource, "droid.team"), "payments");
    EXPECT_EQ(get(*resource, "deployment.environment"), "ci");
    EXPECT_EQ(get(*resource, "droid.policy.hash"), std::string("sha256:") + kPlaceholder);
  }

  // Metrics.
  const MetricPoint* input = last_point(r, "droid.tokens", {{"gen_ai.token.type", "input"}});
  const MetricPoint* output = last_point(r, "droid.tokens", {{"gen_ai.token.type", "output"}});
  ASSERT_NE(input, nullptr);
  ASSERT_NE(output, nullptr);
  EXPECT_EQ(input->value, 250);
  EXPECT_EQ(output->value, 50);
  EXPECT_EQ(get(input->attributes, "gen_ai.request.model"), "qwen-coder");
  const MetricPoint* ok =
      last_point(r, "droid.tool.invocations", {{"gen_ai.tool.name", "shell"}, {"droid.tool.outcome", "ok"}});
  const MetricPoint* refused =
      last_point(r, "droid.tool.invocations", {{"gen_ai.tool.name", "shell"}, {"droid.tool.outcome", "blocked"}});
  ASSERT_NE(ok, nullptr);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(ok->value, 1);
  EXPECT_EQ(refused->value, 1);
  const MetricPoint* high =
      last_point(r, "droid.command.risk", {{"droid.command.risk", "high"}, {"droid.command.decision", "block"}});
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(high->value, 1);
  const MetricPoint* blocked_actions = last_point(r, "droid.actions.blocked", {{"droid.blocked.kind", "command"}});
  ASSERT_NE(blocked_actions, nullptr);
  EXPECT_EQ(blocked_actions->value, 1);
  const MetricPoint* duration = last_point(r, "droid.session.duration", {{"droid.session.outcome", "Succeeded"}});
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(duration->kind, "histogram");
  EXPECT_EQ(duration->count, 1U);
  const MetricPoint* usage = last_point(r, "gen_ai.client.token.usage", {{"gen_ai.token.type", "input"}});
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->count, 2U);
  EXPECT_EQ(usage->value, 250);

  // Audit logs: one record per event, body the redacted JSON, in the session's trace.
  ASSERT_EQ(r.logs.size(), 2U);
  std::set<std::string> events;
  for (const auto& log : r.logs) {
    EXPECT_EQ(log.trace_id, trace_id);
    EXPECT_EQ(log.span_id, session->span_id);
    EXPECT_EQ(get(log.attributes, "event.name"), "droid.audit");
    const json body = json::parse(log.body);
    events.insert(body.at("event").get<std::string>());
    EXPECT_EQ(get(log.attributes, "droid.audit.event"), body.at("event"));
    if (body.at("event") == "tool_call") {
      EXPECT_EQ(body.at("decision"), "block");
      EXPECT_EQ(body.at("command"), std::string("curl -H 'Authorization: Bearer ") + kPlaceholder + "' https://x");
      EXPECT_EQ(body.at("reasons").at(1), std::string("leaks ") + kPlaceholder);
      EXPECT_EQ(body.value(kPlaceholder, ""), "as a key");
    }
  }
  EXPECT_EQ(events, (std::set<std::string>{"tool_call", "session_end"}));
}

// Two sessions in one process export side by side without mixing: each has its
// own trace and its own resource (no global provider is shared).
TEST_F(TelemetryCollectorTest, TwoSessionsInOneProcessStaySeparate) {
  auto a = Telemetry::make(config("team-a/one"));
  auto b = Telemetry::make(config("team-a/two"));
  ASSERT_NE(a->trace_id(), b->trace_id());
  a->start_llm_call("model-a")->end_llm(llm_call("openai", "", "", "stop", 7, 1));
  b->start_llm_call("model-b")->end_llm(llm_call("anthropic", "", "", "stop", 11, 2));
  b->finish("Failed", "TurnLimitReached");
  a->finish("Succeeded", "Completed");

  const Received r = wait_for_output([](const Received& got) {
    return got.spans.size() >= 4 && last_point(got, "droid.tokens", {{"gen_ai.request.model", "model-a"}}) &&
           last_point(got, "droid.tokens", {{"gen_ai.request.model", "model-b"}});
  });
  ASSERT_EQ(r.spans.size(), 4U);
  for (const auto& s : r.spans) {
    const std::string session = get(s.resource, "droid.session");
    const bool is_a = session == "team-a/one";
    EXPECT_EQ(s.trace_id, is_a ? a->trace_id() : b->trace_id()) << s.name << " of " << session;
    if (s.name == "session") {
      EXPECT_EQ(s.status_code, is_a ? 1 : 2);  // OK / ERROR
    } else {
      EXPECT_EQ(s.name, is_a ? "chat model-a" : "chat model-b");
    }
  }
  const MetricPoint* tokens_a =
      last_point(r, "droid.tokens", {{"gen_ai.request.model", "model-a"}, {"gen_ai.token.type", "input"}});
  const MetricPoint* tokens_b =
      last_point(r, "droid.tokens", {{"gen_ai.request.model", "model-b"}, {"gen_ai.token.type", "input"}});
  ASSERT_NE(tokens_a, nullptr);
  ASSERT_NE(tokens_b, nullptr);
  EXPECT_EQ(tokens_a->value, 7);
  EXPECT_EQ(get(tokens_a->resource, "droid.session"), "team-a/one");
  EXPECT_EQ(tokens_b->value, 11);
  EXPECT_EQ(get(tokens_b->resource, "droid.session"), "team-a/two");
}

// HTTPS to a collector whose certificate a private CA signed: with that CA in
// ca_file the session arrives; trusting another CA, it is refused at the
// handshake and nothing of it arrives.
TEST_F(TelemetryCollectorTest, HttpsWithTheCollectorsCa) {
  const fs::path tls_dir = dir_ / "tls";
  fs::create_directories(tls_dir);
  const auto ca = llm::testing::make_ca("droid test collector CA");
  const auto server = llm::testing::make_certificate(ca, "otel-collector", {"IP:127.0.0.1"}, /*server=*/true);
  const auto other_ca = llm::testing::make_ca("some other CA");
  llm::testing::write_file((tls_dir / "ca.pem").string(), ca.cert_pem);
  llm::testing::write_file((tls_dir / "other-ca.pem").string(), other_ca.cert_pem);
  llm::testing::write_file((tls_dir / "server.pem").string(), server.cert_pem);
  llm::testing::write_file((tls_dir / "server-key.pem").string(), server.key_pem);
  const auto collector =
      start_collector(tls_dir, (tls_dir / "server.pem").string(), (tls_dir / "server-key.pem").string());
  ASSERT_NE(collector, nullptr);

  Config untrusted = config("team-a/untrusted");
  untrusted.endpoint = collector->endpoint();
  untrusted.ca_file = (tls_dir / "other-ca.pem").string();
  untrusted.export_timeout = std::chrono::seconds(3);
  auto refused = Telemetry::make(untrusted);
  refused->start_llm_call("model-x")->end_llm(llm_call("openai", "", "", "stop", 1, 1));
  refused->finish("Succeeded", "Completed");

  Config trusted = config("team-a/trusted");
  trusted.endpoint = collector->endpoint();
  trusted.ca_file = (tls_dir / "ca.pem").string();
  auto t = Telemetry::make(trusted);
  t->start_llm_call("model-y")->end_llm(llm_call("openai", "", "", "stop", 5, 1));
  t->audit({{"event", "session_end"}});
  t->finish("Succeeded", "Completed");

  ASSERT_EQ(collector->endpoint().rfind("https://", 0), 0U);
  const Received r = wait_for_output(*collector, [](const Received& got) {
    return got.spans.size() >= 2 && !got.logs.empty() && last_point(got, "droid.tokens", {}) != nullptr;
  });
  ASSERT_EQ(r.spans.size(), 2U);
  for (const auto& s : r.spans) {
    EXPECT_EQ(s.trace_id, t->trace_id()) << s.name;
    EXPECT_EQ(get(s.resource, "droid.session"), "team-a/trusted");
  }
  for (const auto& p : r.points) EXPECT_EQ(get(p.resource, "droid.session"), "team-a/trusted") << p.metric;
  EXPECT_EQ(read_file(collector->output()).find(refused->trace_id()), std::string::npos);
}

}  // namespace
}  // namespace droid::runner::telemetry
