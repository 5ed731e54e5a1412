// The audit records as OTLP log records, received by the real OpenTelemetry Collector
// (DROID_OTELCOL; scripts/test.sh sets it) and read back from its file exporter.
#include "otlp_audit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telemetry/testing/collector.h"

namespace droid::egress {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using runner::telemetry::testing::Collector;
using runner::telemetry::testing::read_file;
using runner::telemetry::testing::wait_for;
using namespace std::chrono_literals;

struct Received {
  std::string body;
  int severity = 0;
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> resource;
};

std::map<std::string, std::string> attributes_of(const json& holder) {
  std::map<std::string, std::string> out;
  for (const auto& kv : holder.value("attributes", json::array())) {
    const json& v = kv["value"];
    out[kv["key"]] = v.contains("stringValue") ? v["stringValue"].get<std::string>()
                     : v.contains("intValue")
                         ? (v["intValue"].is_string() ? v["intValue"].get<std::string>() : v["intValue"].dump())
                         : v.dump();
  }
  return out;
}

// Every log record in the file exporter's OTLP JSON lines (a line still being written is skipped).
std::vector<Received> received(const fs::path& file) {
  std::vector<Received> out;
  std::istringstream lines(read_file(file));
  for (std::string line; std::getline(lines, line);) {
    const json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded()) continue;
    for (const auto& rl : doc.value("resourceLogs", json::array())) {
      const auto resource = attributes_of(rl.value("resource", json::object()));
      for (const auto& sl : rl.value("scopeLogs", json::array()))
        for (const auto& l : sl.value("logRecords", json::array()))
          out.push_back({l.value("body", json::object()).value("stringValue", ""), l.value("severityNumber", 0),
                         attributes_of(l), resource});
    }
  }
  return out;
}

AuditRecord record(const std::string& path, const std::string& decision, int status) {
  AuditRecord r;
  r.session = "team-a/s1";
  r.source = "10.88.0.7";
  r.destination = decision == "allowed" ? "llm" : "";
  r.method = "POST";
  r.host = decision == "allowed" ? "llm.svc" : "example.invalid";
  r.port = 80;
  r.path = path;
  r.status = status;
  r.decision = decision;
  return r;
}

TEST(OtlpAudit, EveryAuditLineBecomesALogRecordAtTheCollector) {
  const fs::path dir = fs::temp_directory_path() / ("egress-otlp-" + std::to_string(getpid()));
  fs::create_directories(dir);
  Collector collector(dir, "", "");
  std::vector<std::string> lines;
  {
    OtlpAudit otlp(collector.endpoint(), "droid-egress-abc12");
    AuditLog audit([&](const std::string& line) { lines.push_back(line); },
                   [&](const AuditRecord& r, const std::string& line) { otlp.emit(r, line); });
    audit.write(record("/v1/chat/completions", "allowed", 200));
    audit.write(record(std::string("/upload\xff", 8), "denied", 403));  // not UTF-8: the batch must still pass
    EXPECT_TRUE(otlp.flush());
  }
  std::vector<Received> logs;
  ASSERT_TRUE(wait_for(
      [&] {
        logs = received(collector.output());
        return logs.size() >= 2;
      },
      30s))
      << "the collector received " << logs.size() << " log records; its log:\n"
      << read_file(collector.log_path());
  ASSERT_EQ(logs.size(), 2U);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(json::parse(logs[0].body), json::parse(lines[0])) << "the body is the audit line";
  EXPECT_EQ(logs[0].severity, 9) << "INFO";
  EXPECT_EQ(logs[1].severity, 13) << "WARN";
  EXPECT_EQ(logs[0].attributes["event.name"], "droid.egress.audit");
  EXPECT_EQ(logs[0].attributes["droid.session"], "team-a/s1");
  EXPECT_EQ(logs[0].attributes["droid.egress.destination"], "llm");
  EXPECT_EQ(logs[0].attributes["droid.egress.decision"], "allowed");
  EXPECT_EQ(logs[0].attributes["http.request.method"], "POST");
  EXPECT_EQ(logs[0].attributes["server.address"], "llm.svc");
  EXPECT_EQ(logs[0].attributes["server.port"], "80");
  EXPECT_EQ(logs[0].attributes["url.path"], "/v1/chat/completions");
  EXPECT_EQ(logs[0].attributes["http.response.status_code"], "200");
  EXPECT_EQ(logs[1].attributes["droid.egress.decision"], "denied");
  EXPECT_EQ(logs[1].attributes["url.path"], "/upload?");
  EXPECT_EQ(logs[0].resource["service.name"], "droid-egress");
  EXPECT_EQ(logs[0].resource["service.instance.id"], "droid-egress-abc12");
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(AuditLogObserver, SeesEachRecordWithItsLine) {
  std::vector<std::string> lines;
  std::vector<std::pair<std::string, std::string>> seen;
  AuditLog audit([&](const std::string& line) { lines.push_back(line); },
                 [&](const AuditRecord& r, const std::string& line) { seen.emplace_back(r.path, line); });
  audit.write(record("/v1/a", "allowed", 200));
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(seen[0].first, "/v1/a");
  EXPECT_EQ(seen[0].second, lines.at(0));
}

}  // namespace
}  // namespace droid::egress
