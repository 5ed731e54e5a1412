#include "app/options.h"

#include <cctype>
#include <functional>
#include <map>

namespace droid::op {
namespace {

int parse_int(const std::string& flag, const std::string& text, int min, int max) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < min || v > max)
    throw OptionsError(flag + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                       " (got \"" + text + "\")");
  return v;
}

bool parse_bool(const std::string& flag, const std::string& text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  throw OptionsError(flag + ": expected true or false (got \"" + text + "\")");
}

}  // namespace

std::chrono::milliseconds parse_duration(const std::string& flag, const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
  const std::string number = text.substr(0, i);
  const std::string unit = text.substr(i);
  static const std::map<std::string, long long> kUnits = {
      {"", 1000}, {"s", 1000}, {"ms", 1}, {"m", 60000}, {"h", 3600000}};
  auto u = kUnits.find(unit);
  if (number.empty() || number.size() > 9 || u == kUnits.end())
    throw OptionsError(flag + ": expected a duration such as 15s, 500ms, 2m or 1h (got \"" + text + "\")");
  const long long ms = std::stoll(number) * u->second;
  if (ms <= 0) throw OptionsError(flag + ": must be longer than zero (got \"" + text + "\")");
  return std::chrono::milliseconds(ms);
}

OperatorOptions parse_options(const std::vector<std::string>& args) {
  OperatorOptions o;
  using Setter = std::function<void(const std::string& flag, const std::string& value)>;
  const std::map<std::string, Setter> with_value = {
      {"--kubeconfig", [&](auto&, auto& v) { o.kubeconfig = v; }},
      {"--context", [&](auto&, auto& v) { o.context = v; }},
      {"--namespace", [&](auto&, auto& v) { o.namespace_name = v; }},
      {"--identity", [&](auto&, auto& v) { o.identity = v; }},
      {"--lease-name", [&](auto&, auto& v) { o.lease_name = v; }},
      {"--lease-duration", [&](auto& f, auto& v) { o.lease_duration = parse_duration(f, v); }},
      {"--renew-deadline", [&](auto& f, auto& v) { o.renew_deadline = parse_duration(f, v); }},
      {"--retry-period", [&](auto& f, auto& v) { o.retry_period = parse_duration(f, v); }},
      {"--ops-bind-address", [&](auto&, auto& v) { o.ops_address = v; }},
      {"--webhook-bind-address", [&](auto&, auto& v) { o.webhook_address = v; }},
      {"--webhook-cert-dir", [&](auto&, auto& v) { o.webhook_cert_dir = v; }},
      {"--session-workers", [&](auto& f, auto& v) { o.session_workers = parse_int(f, v, 1, 64); }},
      {"--kube-api-qps", [&](auto& f, auto& v) { o.kube_api_qps = parse_int(f, v, 0, 100000); }},
      {"--kube-api-burst", [&](auto& f, auto& v) { o.kube_api_burst = parse_int(f, v, 1, 100000); }},
      {"--max-pod-attempts", [&](auto& f, auto& v) { o.max_pod_attempts = parse_int(f, v, 1, 100); }},
      {"--max-approval-rounds", [&](auto& f, auto& v) { o.max_approval_rounds = parse_int(f, v, 0, 100); }},
      {"--runner-image", [&](auto&, auto& v) { o.runner_image = v; }},
      {"--approval-signing-secret",
       [&](auto& f, auto& v) {
         if (v.empty()) throw OptionsError(f + ": needs a Secret name");
         o.approval_signing_secret = v;
       }},
      {"--runner-image-pull-policy",
       [&](auto& f, auto& v) {
         if (v != "Always" && v != "IfNotPresent" && v != "Never")
           throw OptionsError(f + ": expected Always, IfNotPresent or Never (got \"" + v + "\")");
         o.runner_image_pull_policy = v;
       }},
      {"--image-pull-grace", [&](auto& f, auto& v) { o.image_pull_grace = parse_duration(f, v); }},
      {"--sync-timeout", [&](auto& f, auto& v) { o.sync_timeout = parse_duration(f, v); }},
      {"--log-level",
       [&](auto& f, auto& v) {
         if (v != "debug" && v != "info" && v != "warn" && v != "error")
           throw OptionsError(f + ": expected debug, info, warn or error (got \"" + v + "\")");
         o.log_level = v;
       }},
      {"--leader-elect", [&](auto& f, auto& v) { o.leader_elect = parse_bool(f, v); }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_value = false;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (flag == "-h" || flag == "--help") {
      o.show_help = true;
      continue;
    }
    if (flag == "--version" || flag == "version") {
      o.show_version = true;
      continue;
    }
    auto it = with_value.find(flag);
    if (it == with_value.end()) throw OptionsError("unknown flag \"" + flag + "\" (see droid-operator --help)");
    if (!has_value) {
      if (flag == "--leader-elect" && (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)) {
        o.leader_elect = true;
        continue;
      }
      if (i + 1 >= args.size()) throw OptionsError(flag + ": needs a value");
      value = args[++i];
    }
    it->second(flag, value);
  }
  if (o.leader_elect) {
    if (o.renew_deadline >= o.lease_duration)
      throw OptionsError("--renew-deadline must be shorter than --lease-duration");
    if (o.retry_period * 12 / 10 >= o.renew_deadline)
      throw OptionsError("--retry-period (times 1.2) must be shorter than --renew-deadline");
    if (o.lease_duration.count() % 1000 != 0)
      throw OptionsError("--lease-duration: must be whole seconds (the Lease stores seconds)");
  }
  return o;
}

const char* usage() {
  return R"(usage: droid-operator [flags]

Runs the DroidSession and OrgPolicy controllers and the admission webhook against
the cluster of --kubeconfig, or, without it, the cluster it runs in.

  --kubeconfig FILE              kubeconfig to use (default: in-cluster service account)
  --context NAME                 kubeconfig context (default: its current-context)
  --namespace NS                 the operator's namespace: its Lease, gateway Secrets
                                 (default: the pod's namespace, else droid-system)
  --identity ID                  leader-election identity (default: $POD_NAME, else host_pid)
  --leader-elect BOOL            only the holder of the Lease reconciles (default true)
  --lease-name NAME              (default droid-operator)
  --lease-duration D             (default 15s)   --renew-deadline D (default 10s)
  --retry-period D               (default 2s)
  --ops-bind-address HOST:PORT   /metrics, /healthz, /readyz (default :8080)
  --webhook-bind-address H:P     admission webhook, HTTPS (default :9443)
  --webhook-cert-dir DIR         tls.crt and tls.key, reloaded when they change;
                                 without it the webhook is not served
  --session-workers N            DroidSessions reconciled at once (default 16)
  --kube-api-qps N               requests per second to the API server on average,
                                 watches excepted (default 300; 0: no limit)
  --kube-api-burst N             requests at once above that rate (default 600)
  --max-pod-attempts N           pod creation attempts before a session fails (default 5)
  --max-approval-rounds N        approvals one session may ask for; asking once more
                                 fails it with ApprovalRoundsExceeded (default 10; 0: none)
  --approval-signing-secret NAME the Secret in the operator's namespace with the key approval
                                 decisions are signed with; made on first start
                                 (default droid-operator-approval-signing)
  --runner-image IMAGE           runner image unless an OrgPolicy sets one (default droid-runner:latest)
  --runner-image-pull-policy P   Always, IfNotPresent or Never (default IfNotPresent)
  --image-pull-grace D           how long an image may fail to pull (default 120s)
  --sync-timeout D               how long to wait for the caches at start (default 120s)
  --log-level L                  debug, info, warn or error (default info)
  --version, --help
Durations: 500ms, 15s, 2m, 1h. Flags also take --flag=value.
)";
}

}  // namespace droid::op
