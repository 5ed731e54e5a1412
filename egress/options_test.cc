#include "options.h"

#include <gtest/gtest.h>

namespace droid::egress {
namespace {

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_options(args);
  } catch (const OptionsError& e) {
    return e.what();
  }
  return "";
}

TEST(EgressOptions, DefaultsAndValues) {
  Options o = parse_options({}, "http://otel:4318");
  EXPECT_EQ(o.listen_port, 3128);
  EXPECT_EQ(o.ops_port, 9464);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.pod_wait, std::chrono::milliseconds(2000));
  EXPECT_EQ(o.otlp_endpoint, "http://otel:4318") << "from OTEL_EXPORTER_OTLP_ENDPOINT";
  EXPECT_TRUE(o.sessions_file.empty());

  o = parse_options({"--namespace",
                     "droid-system",
                     "--kubeconfig=/k",
                     "--context",
                     "c",
                     "--listen",
                     "127.0.0.1:0",
                     "--ops-listen",
                     "[::1]:9000",
                     "--threads",
                     "4",
                     "--idle-seconds",
                     "30",
                     "--connect-seconds",
                     "5",
                     "--pod-wait-ms",
                     "0",
                     "--otlp-endpoint",
                     "",
                     "--log-level",
                     "debug"},
                    "http://otel:4318");
  EXPECT_EQ(o.namespace_name, "droid-system");
  EXPECT_EQ(o.kubeconfig, "/k");
  EXPECT_EQ(o.listen_host, "127.0.0.1");
  EXPECT_EQ(o.listen_port, 0);
  EXPECT_EQ(o.ops_host, "::1");
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(o.pod_wait, std::chrono::milliseconds(0));
  EXPECT_EQ(o.otlp_endpoint, "") << "the flag, even empty, wins over the variable";
  EXPECT_EQ(parse_options({"--sessions-file", "/s.json"}).sessions_file, "/s.json");
}

TEST(EgressOptions, ErrorsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--listen", "3128"}, "--listen: "},
      {{"--listen", "host:99999"}, "--listen: "},
      {{"--ops-listen", "x:"}, "--ops-listen: "},
      {{"--threads", "0"}, "--threads"},
      {{"--idle-seconds", "soon"}, "--idle-seconds"},
      {{"--pod-wait-ms", "-1"}, "--pod-wait-ms"},
      {{"--otlp-endpoint", "otel:4318"}, "--otlp-endpoint: "},
      {{"--log-level", "loud"}, "--log-level: "},
      {{"--sessions-file", "/s", "--namespace", "x"}, "--namespace: "},
      {{"--context", "c"}, "--context: "},
      {{"--frobnicate"}, "frobnicate"},
      {{"extra"}, "unexpected argument \"extra\""},
  };
  for (const auto& [args, want] : cases) {
    const std::string e = error_of(args);
    EXPECT_NE(e.find(want), std::string::npos) << args[0] << ": wanted \"" << want << "\", got \"" << e << "\"";
  }
}

}  // namespace
}  // namespace droid::egress
