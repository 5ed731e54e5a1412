#include "app/options.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "cli/flags.h"

namespace droid::op {
namespace {

// The flags of droid-operator: every one takes a value but --leader-elect, a switch.
cli::Flags operator_flags() {
  std::vector<cli::Flags::Spec> specs = {
      {"leader-elect", cli::Flags::Switch}, {"help", cli::Flags::Bool}, {"version", cli::Flags::Bool}};
  for (const char* name : {"kubeconfig",       "context",
                           "namespace",        "identity",
                           "lease-name",       "lease-duration",
                           "renew-deadline",   "retry-period",
                           "ops-bind-address", "webhook-bind-address",
                           "webhook-cert-dir", "session-workers",
                           "kube-api-qps",     "kube-api-burst",
                           "max-pod-attempts", "max-approval-rounds",
                           "runner-image",     "runner-image-pull-policy",
                           "image-pull-grace", "sync-timeout",
                           "log-level",        "approval-signing-secret",
                           "egress-gateway",   "egress-token-secret"})
    specs.push_back({name, cli::Flags::Value});
  return cli::Flags(std::move(specs));
}

// The flag's value when it is one of `allowed`; OptionsError listing them otherwise.
std::string one_of(const cli::Flags& f, const std::string& name, const std::string& fallback,
                   const std::vector<std::string>& allowed) {
  std::string v = f.value(name, fallback);
  std::string list;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (v == allowed[i]) return v;
    list += i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ";
    list += allowed[i];
  }
  throw OptionsError("--" + name + ": expected " + list + " (got \"" + v + "\")");
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
  cli::Flags f = operator_flags();
  try {
    // -h and a bare "version" as well as the flags.
    std::vector<std::string> spelled;
    spelled.reserve(args.size());
    for (const auto& a : args) spelled.push_back(a == "-h" ? "--help" : a == "version" ? "--version" : a);
    f.parse(spelled);
    if (!f.positional().empty())
      throw cli::FlagError("unexpected argument \"" + f.positional().front() + "\" (droid-operator takes only flags)");
    const auto integer = [&](const char* name, int fallback, int min, int max) {
      return static_cast<int>(f.integer(name, fallback, min, max));
    };
    o.session_workers = integer("session-workers", o.session_workers, 1, 64);
    o.kube_api_qps = integer("kube-api-qps", o.kube_api_qps, 0, 100000);
    o.kube_api_burst = integer("kube-api-burst", o.kube_api_burst, 1, 100000);
    o.max_pod_attempts = integer("max-pod-attempts", o.max_pod_attempts, 1, 100);
    o.max_approval_rounds = integer("max-approval-rounds", o.max_approval_rounds, 0, 100);
  } catch (const cli::FlagError& e) {
    throw OptionsError(std::string(e.what()) + " (see droid-operator --help)");
  }
  o.show_help = f.has("help");
  o.show_version = f.has("version");
  o.leader_elect = f.boolean("leader-elect", o.leader_elect);
  o.kubeconfig = f.value("kubeconfig");
  o.context = f.value("context");
  o.namespace_name = f.value("namespace");
  o.identity = f.value("identity");
  o.lease_name = f.value("lease-name", o.lease_name);
  o.ops_address = f.value("ops-bind-address", o.ops_address);
  o.webhook_address = f.value("webhook-bind-address", o.webhook_address);
  o.webhook_cert_dir = f.value("webhook-cert-dir");
  o.runner_image = f.value("runner-image", o.runner_image);
  o.approval_signing_secret = f.value("approval-signing-secret", o.approval_signing_secret);
  if (o.approval_signing_secret.empty()) throw OptionsError("--approval-signing-secret: needs a Secret name");
  o.egress_gateway = f.value("egress-gateway");
  if (!o.egress_gateway.empty()) {
    const std::size_t colon = o.egress_gateway.rfind(':');
    const std::string port = colon == std::string::npos ? "" : o.egress_gateway.substr(colon + 1);
    const bool digits = !port.empty() && port.size() <= 5 &&
                        std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (colon == 0 || !digits || std::stoi(port) < 1 || std::stoi(port) > 65535 ||
        o.egress_gateway.find_first_of(" /@") != std::string::npos)
      throw OptionsError(
          "--egress-gateway: expected HOST:PORT of the egress gateway's Service, such as "
          "droid-egress.droid-system.svc:3128 (got \"" +
          o.egress_gateway + "\")");
  }
  o.egress_token_secret = f.value("egress-token-secret", o.egress_token_secret);
  if (o.egress_token_secret.empty()) throw OptionsError("--egress-token-secret: needs a Secret name");
  o.runner_image_pull_policy =
      one_of(f, "runner-image-pull-policy", o.runner_image_pull_policy, {"Always", "IfNotPresent", "Never"});
  o.log_level = one_of(f, "log-level", o.log_level, {"debug", "info", "warn", "error"});
  const auto duration = [&](const char* name, std::chrono::milliseconds fallback) {
    return f.has(name) ? parse_duration(std::string("--") + name, f.value(name)) : fallback;
  };
  o.lease_duration = duration("lease-duration", o.lease_duration);
  o.renew_deadline = duration("renew-deadline", o.renew_deadline);
  o.retry_period = duration("retry-period", o.retry_period);
  o.image_pull_grace = duration("image-pull-grace", o.image_pull_grace);
  o.sync_timeout = duration("sync-timeout", o.sync_timeout);
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
  --egress-gateway HOST:PORT     the egress gateway's Service (issue 15): runner pods reach only it
                                 and DNS, hold no gateway key or git credentials, and carry a
                                 per-session token in their proxy URL (default: none, direct mode)
  --egress-token-secret NAME     the Secret in the operator's namespace with the key (data key
                                 "key") session tokens are minted from (default droid-egress-token-key)
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
