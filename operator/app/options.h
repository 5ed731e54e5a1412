// The droid-operator command line. Every flag has a default fit for running in
// the cluster from the Helm chart; tests and development pass --kubeconfig.
// parse_options() throws OptionsError with a message naming the flag and what
// it accepts; usage() is the --help text.
#pragma once
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace droid::op {

struct OperatorOptions {
  std::string kubeconfig;      // empty: in-cluster config
  std::string context;         // kubeconfig context; empty: current
  std::string namespace_name;  // the operator's namespace (lease, gateway Secrets); empty: detected
  std::string identity;        // leader-election identity; empty: POD_NAME or hostname + pid

  bool leader_elect = true;
  std::string lease_name = "droid-operator";
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};

  std::string ops_address = ":8080";  // /metrics, /healthz, /readyz
  std::string webhook_address = ":9443";
  std::string webhook_cert_dir;  // tls.crt and tls.key; empty: no webhook server

  // Each worker blocks on the API server for most of a reconcile (a session's creates
  // and status write): enough of them keep a burst of sessions moving.
  int session_workers = 16;
  // Client-side limit of the operator's requests (watches excepted), as client-go's
  // --kube-api-qps/--kube-api-burst: a loop gone wrong cannot flood the API server.
  int kube_api_qps = 300;
  int kube_api_burst = 600;
  int max_pod_attempts = 5;
  int max_approval_rounds = 10;  // approvals one session may ask for (SPEC §6.5)
  // The Secret (operator namespace) with the key approval decisions are signed with.
  std::string approval_signing_secret = "droid-operator-approval-signing";
  // The egress gateway's Service, HOST:PORT (issue 15): runner pods reach it alone
  // (besides DNS) and everything else through it, with a per-session token minted from
  // the key in egress_token_secret. Empty: direct mode (no gateway; the runner pod gets
  // the gateway key and git credentials and its NetworkPolicy the policy's egress rules).
  std::string egress_gateway;
  std::string egress_token_secret = "droid-egress-token-key";
  std::string runner_image = "droid-runner:latest";
  std::string runner_image_pull_policy = "IfNotPresent";
  std::chrono::milliseconds image_pull_grace{std::chrono::seconds(120)};
  std::chrono::milliseconds sync_timeout{std::chrono::seconds(120)};
  std::string log_level = "info";

  bool show_help = false;
  bool show_version = false;
};

class OptionsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "15s", "500ms", "2m", "1h" (a bare number is seconds).
std::chrono::milliseconds parse_duration(const std::string& flag, const std::string& text);

// With libdroid/cli: "--flag value" and "--flag=value"; --leader-elect bare, =true/false
// or followed by true/false; -h and a bare "version" too.
OperatorOptions parse_options(const std::vector<std::string>& args);

const char* usage();

}  // namespace droid::op
