#include "app/options.h"

#include <gtest/gtest.h>

namespace droid::op {
namespace {

using namespace std::chrono_literals;

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_options(args);
  } catch (const OptionsError& e) {
    return e.what();
  }
  return "";
}

TEST(OperatorOptions, DefaultsAreClientGosLeaseTimings) {
  const auto o = parse_options({});
  EXPECT_TRUE(o.leader_elect);
  EXPECT_EQ(o.lease_duration, 15s);
  EXPECT_EQ(o.renew_deadline, 10s);
  EXPECT_EQ(o.retry_period, 2s);
  EXPECT_EQ(o.kubeconfig, "");
  EXPECT_EQ(o.max_approval_rounds, 10);
  EXPECT_EQ(o.session_workers, 16);
  EXPECT_EQ(o.kube_api_qps, 300);
  EXPECT_EQ(o.kube_api_burst, 600);
  EXPECT_EQ(o.approval_signing_secret, "droid-operator-approval-signing");
  EXPECT_EQ(o.egress_gateway, "") << "direct mode unless the gateway is named";
  EXPECT_EQ(o.egress_token_secret, "droid-egress-token-key");
}

TEST(OperatorOptions, EgressGatewayIsHostAndPort) {
  const auto o = parse_options({"--egress-gateway=droid-egress.droid-system.svc:3128", "--egress-token-secret", "k"});
  EXPECT_EQ(o.egress_gateway, "droid-egress.droid-system.svc:3128");
  EXPECT_EQ(o.egress_token_secret, "k");
  for (const char* bad :
       {"droid-egress", "droid-egress:", ":3128", "h:0", "h:65536", "h:31x", "http://h:3128", "u@h:3128"}) {
    const std::string e = error_of({std::string("--egress-gateway=") + bad});
    EXPECT_NE(e.find("--egress-gateway: expected HOST:PORT"), std::string::npos) << bad << ": " << e;
  }
  EXPECT_NE(error_of({"--egress-token-secret="}).find("--egress-token-secret: needs a Secret name"), std::string::npos);
}

TEST(OperatorOptions, ParsesBothFlagForms) {
  const auto o = parse_options({"--kubeconfig", "/k", "--session-workers=8", "--lease-duration=4s", "--renew-deadline",
                                "3s", "--retry-period", "500ms", "--leader-elect=false"});
  EXPECT_EQ(o.kubeconfig, "/k");
  EXPECT_EQ(o.session_workers, 8);
  EXPECT_EQ(o.lease_duration, 4s);
  EXPECT_EQ(o.retry_period, 500ms);
  EXPECT_FALSE(o.leader_elect);
  EXPECT_EQ(parse_options({"--max-approval-rounds=3"}).max_approval_rounds, 3);
  EXPECT_EQ(parse_options({"--approval-signing-secret", "k"}).approval_signing_secret, "k");
  EXPECT_NE(error_of({"--approval-signing-secret="}).find("--approval-signing-secret: needs a Secret name"),
            std::string::npos)
      << error_of({"--approval-signing-secret="});
  const auto limited = parse_options({"--kube-api-qps=0", "--kube-api-burst", "50"});
  EXPECT_EQ(limited.kube_api_qps, 0) << "0 turns the limit off";
  EXPECT_EQ(limited.kube_api_burst, 50);
}

TEST(OperatorOptions, ErrorsNameTheFlagAndWhatItAccepts) {
  EXPECT_EQ(error_of({"--session-workers", "lots"}),
            "--session-workers: \"lots\" is not a whole number from 1 to 64 (see droid-operator --help)");
  EXPECT_NE(error_of({"--kube-api-burst", "0"}).find("--kube-api-burst: \"0\" is not a whole number from 1"),
            std::string::npos);
  EXPECT_NE(error_of({"--lease-duration", "15 seconds"}).find("--lease-duration: expected a duration"),
            std::string::npos);
  EXPECT_NE(error_of({"--kubeconfig"}).find("--kubeconfig needs a value"), std::string::npos);
  EXPECT_EQ(error_of({"--kubeconfg", "x"}), "unknown option --kubeconfg (see droid-operator --help)");
  EXPECT_NE(error_of({"--leader-elect=maybe"}).find("--leader-elect: expected true or false"), std::string::npos);
  EXPECT_NE(error_of({"--log-level", "loud"}).find("--log-level: expected debug, info, warn or error"),
            std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("unexpected argument \"stray\""), std::string::npos);
  EXPECT_NE(error_of({"--runner-image", "a", "--runner-image", "b"}).find("--runner-image given twice"),
            std::string::npos);
  EXPECT_NE(error_of({"--runner-image-pull-policy", "Sometimes"}).find("Always, IfNotPresent or Never"),
            std::string::npos);
  EXPECT_NE(error_of({"--lease-duration", "5s", "--renew-deadline", "6s"}).find("shorter than --lease-duration"),
            std::string::npos);
}

TEST(OperatorOptions, HelpVersionAndTheLeaderElectionSwitch) {
  EXPECT_TRUE(parse_options({"-h"}).show_help);
  EXPECT_TRUE(parse_options({"--help"}).show_help);
  EXPECT_TRUE(parse_options({"version"}).show_version);
  EXPECT_TRUE(parse_options({"--version"}).show_version);
  EXPECT_TRUE(parse_options({"--leader-elect=true"}).leader_elect) << "as the chart passes it";
  EXPECT_FALSE(parse_options({"--leader-elect", "false"}).leader_elect);
  EXPECT_TRUE(parse_options({"--leader-elect", "--log-level", "debug"}).leader_elect);
  const auto o = parse_options({"--image-pull-grace=30s", "--sync-timeout", "2m", "--runner-image-pull-policy=Never",
                                "--ops-bind-address", ":9090", "--webhook-cert-dir=/certs", "--namespace", "ns"});
  EXPECT_EQ(o.image_pull_grace, 30s);
  EXPECT_EQ(o.sync_timeout, 120s);
  EXPECT_EQ(o.runner_image_pull_policy, "Never");
  EXPECT_EQ(o.ops_address, ":9090");
  EXPECT_EQ(o.webhook_cert_dir, "/certs");
  EXPECT_EQ(o.namespace_name, "ns");
  EXPECT_EQ(o.runner_image, "droid-runner:latest");
}

TEST(OperatorOptions, Durations) {
  EXPECT_EQ(parse_duration("f", "90"), 90s);
  EXPECT_EQ(parse_duration("f", "2m"), 120s);
  EXPECT_EQ(parse_duration("f", "1h"), 3600s);
  EXPECT_THROW(parse_duration("f", "0s"), OptionsError);
  EXPECT_THROW(parse_duration("f", "-1s"), OptionsError);
  EXPECT_THROW(parse_duration("f", "1d"), OptionsError);
}

}  // namespace
}  // namespace droid::op
