#include "cli/run_command.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "agent/approval_wait.h"
#include "cli/flags.h"
#include "contract/session_config.h"
#include "contract/termination_message.h"
#include "git/commit_message.h"
#include "git/repository.h"
#include "llm/error.h"
#include "llm/proxy.h"
#include "llm/proxy_wait.h"
#include "session/resource_attributes.h"
#include "session/session.h"
#include "session/session_gateway.h"
#include "session/session_settings.h"
#include "settings/load.h"

namespace droid::runner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: droid-runner run [--config DIR] [--workspace DIR] [--termination-log FILE]\n"
    "                        [--git-credentials DIR] [--private-dir DIR] [--approval-dir DIR]\n"
    "                        [--approval-key FILE]\n"
    "\n"
    "Runs the session the operator configured (inside its runner pod).\n"
    "  --config DIR            session.json, org-settings.json, user-settings.json\n"
    "                          (default $DROID_CONFIG_DIR, else /etc/droid)\n"
    "  --workspace DIR         where the repository is cloned (default /workspace)\n"
    "  --termination-log FILE  where the outcome is written (default /dev/termination-log)\n"
    "  --git-credentials DIR   the repository's credentials (default /var/run/droid/git)\n"
    "  --private-dir DIR       the runner's own scratch space (default $TMPDIR/droid-runner)\n"
    "  --approval-dir DIR      the projected approval decision (default /var/run/droid/approval);\n"
    "                          with session.json approvalWaitSeconds > 0, an \"ask\" waits in place\n"
    "  --approval-key FILE     the session's key the operator signs decisions with\n"
    "                          (default /var/run/droid/approval-key/key); without it no wait in place\n";

// A failure before or around the session, with its stable reason.
struct Failure : std::runtime_error {
  Failure(std::string reason, const std::string& message) : std::runtime_error(message), reason(std::move(reason)) {}
  std::string reason;
};

contract::SessionConfig read_session_config(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Failure("InvalidRunnerConfig", "cannot read " + p.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto decoded = contract::decode_session_config(text.str());
  if (!decoded.config) throw Failure("InvalidRunnerConfig", p.string() + ": " + decoded.error);
  return std::move(*decoded.config);
}

// The gateway as session::gateway_config() reads it (the session.json form).
json gateway_json(const contract::Gateway& g) {
  json out = {{"name", g.name},          {"provider", g.provider},           {"baseURL", g.base_url},
              {"caBundle", g.ca_bundle}, {"caBundleFile", g.ca_bundle_file}, {"credentialsFile", g.credentials_file}};
  if (!g.auth.empty()) out["auth"] = g.auth;
  json timeouts = json::object();
  if (g.connect_seconds) timeouts["connectSeconds"] = *g.connect_seconds;
  if (g.idle_seconds) timeouts["idleSeconds"] = *g.idle_seconds;
  if (g.total_seconds) timeouts["totalSeconds"] = *g.total_seconds;
  if (!timeouts.empty()) out["timeouts"] = timeouts;
  return out;
}

json load_level(const fs::path& p, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return json::object();
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  settings::Loaded loaded = settings::load_settings_text(s.str(), name);
  if (!loaded.ok()) {
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "; ") + e;
    throw Failure("InvalidSettings", all);
  }
  return loaded.settings;
}

// The session's approval key (contract/approval_decision.h), "" when unreadable.
std::string read_approval_key(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  return key;
}

void write_termination(const std::string& path, const contract::TerminationMessage& m) {
  std::ofstream out(path, std::ios::trunc);
  out << contract::encode(m);
  if (!out) std::cerr << "droid-runner run: cannot write the termination message to " << path << "\n";
}

struct Published {
  std::string branch;
  std::string commit;
};

// Commit and push (SPEC §6.9): only after a successful session, only what the
// shield lets through, only when the gate allows the push like any command.
Published publish(git::Repository& repo, const std::string& branch, const std::string& session_name,
                  session::AfterLoop& after, agent::SessionResult& r) {
  const std::string diff = repo.diff();
  const shield::Verdict v = after.shield.check(diff);
  if (!v.findings.empty()) {
    std::string rules;
    for (const auto& f : v.findings)
      if (rules.find(f.rule) == std::string::npos) rules += (rules.empty() ? "" : ", ") + f.rule;
    after.audit.record("shield", {{"what", "diff"}, {"rules", rules}, {"blocked", true}});
    r.outcome = contract::Outcome::Failed;
    r.reason = "SecretInDiff";
    r.message = "the changes contain secrets (" + rules + "); nothing was committed or pushed";
    return {};
  }
  tools::Tool* shell = after.tools.find("shell");
  const std::string command = "git push origin " + branch;
  const agent::GateResult g = after.gate.check(*shell, {{"command", command}}, "push", {});
  after.audit.record("push", {{"command", command},
                              {"action", agent::to_string(g.action)},
                              {"decision", policy::decision_name(g.decision)},
                              {"reasons", g.reasons}});
  if (g.action == agent::GateAction::AwaitApproval) {
    r.outcome = contract::Outcome::AwaitingApproval;
    r.reason = "ApprovalRequired";
    r.message = "pushing the changes needs a human's approval";
    r.pending_approval = contract::PendingApproval{command, std::string(policy::risk_name(g.risk)), g.reasons};
    return {};
  }
  if (g.action != agent::GateAction::Run) {
    r.outcome = contract::Outcome::Failed;
    r.reason = "PushNotAllowed";
    r.message = "the push to " + branch + " was refused: " + g.message;
    return {};
  }
  Published p;
  p.commit = repo.commit_all(git::commit_message(r.summary, session_name), "droid", "droid@droid.dev");
  repo.push(branch);
  p.branch = branch;
  after.audit.record("pushed", {{"branch", branch}, {"commit", p.commit}});
  return p;
}

// SIGTERM (the pod is being deleted: cancel, eviction) ends a wait in place at
// once, with the outcome written; outside a wait it terminates as before.
std::atomic<bool> g_stop{false};
std::atomic<bool> g_waiting{false};

extern "C" void on_sigterm(int /*signal*/) {
  if (g_waiting.load()) {
    g_stop.store(true);
    return;
  }
  std::signal(SIGTERM, SIG_DFL);  // NOLINT(cert-msc54-cpp): async-signal-safe calls only
  std::raise(SIGTERM);
}

// The pod's channel, marking the wait for the SIGTERM handler.
class PodApprovalChannel : public agent::ApprovalChannel {
 public:
  explicit PodApprovalChannel(agent::FileChannelOptions options) : inner_(std::move(options)) {}
  agent::ApprovalAnswer wait(const agent::ApprovalRequest& request,
                             std::chrono::steady_clock::time_point deadline) override {
    g_waiting.store(true);
    agent::ApprovalAnswer a = inner_.wait(request, deadline);
    g_waiting.store(false);
    return a;
  }

 private:
  agent::FileApprovalChannel inner_;
};

// What the earlier runs of this session did (a run that stopped waiting for an
// approval, or whose pod was lost), added to the prompt so that this run does
// not start blind.
std::string earlier_runs_context(const std::vector<contract::EarlierRun>& runs,
                                 const std::set<std::string>& approvals) {
  if (runs.empty()) return "";
  std::string out =
      "\n\n[Context from the operator] This session ran before and stopped while it waited for a human's "
      "approval; this run starts from a fresh clone of the repository, so earlier changes are not in it.";
  for (const auto& r : runs) {
    out += "\nRun " + std::to_string(r.run_attempt) + ": ";
    out += r.summary.empty() ? "(no summary)" : r.summary;
  }
  if (!approvals.empty()) {
    out += "\nApproved by a human since (these commands now run without asking):";
    for (const auto& a : approvals) out += "\n- " + a;
  }
  return out;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup
  return v == nullptr || *v == '\0' ? fallback : v;
}

int run(const std::vector<std::string>& args) {
  cli::Flags f({{"config", cli::Flags::Value},
                {"workspace", cli::Flags::Value},
                {"termination-log", cli::Flags::Value},
                {"git-credentials", cli::Flags::Value},
                {"private-dir", cli::Flags::Value},
                {"approval-dir", cli::Flags::Value},
                {"approval-key", cli::Flags::Value},
                {"help", cli::Flags::Bool}});
  try {
    f.parse(args);
  } catch (const cli::FlagError& e) {
    std::cerr << "droid-runner run: " << e.what() << "\n\n" << kUsage;
    return 2;
  }
  if (f.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  const fs::path config_dir = f.value("config", env_or("DROID_CONFIG_DIR", "/etc/droid"));
  const std::string workspace = f.value("workspace", "/workspace");
  const std::string termination_log = f.value("termination-log", "/dev/termination-log");
  const std::string git_credentials = f.value("git-credentials", "/var/run/droid/git");
  const std::string private_dir = f.value("private-dir", env_or("TMPDIR", "/tmp") + "/droid-runner");
  const std::string approval_dir = f.value("approval-dir", "/var/run/droid/approval");
  const std::string approval_key_file = f.value("approval-key", "/var/run/droid/approval-key/key");
  std::unique_ptr<PodApprovalChannel> approval_waiter;

  contract::TerminationMessage m;
  int exit_code = 1;
  try {
    const contract::SessionConfig s = read_session_config(config_dir / contract::kSessionConfigFile);
    const std::string session_name = s.session.namespace_ + "/" + s.session.name;

    // The repository first: its project and folder settings are levels of their own.
    std::error_code ec;
    fs::create_directories(workspace, ec);
    const contract::Repository repo_spec = s.repository.value_or(contract::Repository{});
    const std::string creds = fs::exists(git_credentials, ec) ? git_credentials : "";
    git::Repository repo(workspace, creds, private_dir);
    const bool with_repo = !repo_spec.url.empty();
    // With a proxy (the egress gateway), the first request waits until it accepts
    // connections: this pod's NetworkPolicy may not be programmed yet (llm/proxy_wait.h).
    const llm::ProxyEnvironment proxy_env = llm::ProxyEnvironment::from_process_environment();
    if (const std::string& proxy = proxy_env.http_proxy.empty() ? proxy_env.https_proxy : proxy_env.http_proxy;
        !proxy.empty() && !llm::wait_for_proxy(proxy, std::chrono::seconds(30)))
      std::cerr << "droid-runner run: the proxy does not accept connections after 30 s; trying anyway\n";
    if (with_repo) {
      try {
        repo.clone(repo_spec.url, repo_spec.ref);
      } catch (const git::GitError& e) {
        throw Failure("RepositoryCloneFailed", e.what());
      }
    }

    std::vector<std::string> errors;
    std::vector<session::Layer> layers = {{"org", load_level(config_dir / "org-settings.json", "org-settings.json")}};
    for (auto& l : session::repository_layers(workspace, repo_spec.sub_path, errors)) layers.push_back(std::move(l));
    layers.push_back({"user", load_level(config_dir / "user-settings.json", "user-settings.json")});
    const settings::Merged merged = session::merge_layers(layers, errors);
    if (!errors.empty()) {
      std::string all;
      for (const auto& e : errors) all += (all.empty() ? "" : "; ") + e;
      throw Failure("InvalidSettings", all);
    }

    session::SessionInputs in;
    in.session_id = session_name;
    in.workspace = fs::canonical(workspace).string();
    in.settings = merged.settings;
    in.prompt = s.prompt;
    if (in.prompt.empty()) throw Failure("InvalidRunnerConfig", "session.json: prompt is empty");
    std::string error;
    in.model = session::resolve_model(in.settings, s.model, error);
    if (in.model.empty()) throw Failure("ModelNotAllowed", error);
    const auto autonomy = session::resolve_autonomy(in.settings, s.autonomy_level, error);
    if (!autonomy) throw Failure("AutonomyNotAllowed", error);
    in.autonomy = *autonomy;
    in.reasoning_effort = s.reasoning_effort;

    if (!s.gateway || s.gateway->base_url.empty())
      throw Failure("NoGateway", "session.json: no gateway; the OrgPolicy must name one (spec.gateways)");
    in.gateway = session::gateway_config(gateway_json(*s.gateway));
    if (!s.gateway->credentials_file.empty()) in.gateway.api_key = llm::load_api_key(s.gateway->credentials_file, "");
    in.gateway.proxy = llm::ProxyEnvironment::from_process_environment();
    // The egress gateway's session token (in the proxy URL) is redacted like a key.
    for (auto& secret : llm::proxy_secrets(in.gateway.proxy)) in.known_secrets.push_back(std::move(secret));

    const std::int64_t timeout = s.timeout_seconds;
    // Finish before the pod's activeDeadlineSeconds, so the outcome is written.
    in.limits.wall_time = std::chrono::seconds(timeout > 120 ? timeout - 30 : timeout * 3 / 4);
    in.gateway.deadline = in.limits.wall_time;
    in.limits.max_turns = static_cast<int>(s.max_turns.value_or(50));
    in.limits.max_tokens = s.token_budget.value_or(0);
    in.approval_channel = true;
    for (const auto& a : s.approvals) in.approvals.insert(a.command);
    in.extra_denied = {config_dir.string(), git_credentials, private_dir,
                       "/var/run/droid",    approval_dir,    fs::path(approval_key_file).parent_path().string()};
    // Waiting in place (issue 14): only with the operator's wait limit, its projected
    // decision and the session's key its decisions are signed with.
    const std::string approval_key = s.approval_wait_seconds > 0 ? read_approval_key(approval_key_file) : "";
    if (s.approval_wait_seconds > 0 && approval_key.empty())
      std::cerr << "droid-runner run: no approval key at " << approval_key_file
                << "; an \"ask\" ends the run (AwaitingApproval) instead of waiting in place\n";
    if (!approval_key.empty() && fs::is_directory(approval_dir, ec)) {
      approval_waiter = std::make_unique<PodApprovalChannel>(
          agent::FileChannelOptions{.state_dir = agent::approval_state_dir(private_dir),
                                    .decision_file = (fs::path(approval_dir) / "decision").string(),
                                    .poll = std::chrono::milliseconds(200),
                                    .stop = &g_stop,
                                    .key = approval_key,
                                    .run_attempt = s.session.run_attempt,
                                    .on_refused = {}});  // reported by the loop, in the audit log
      in.approval_waiter = approval_waiter.get();
      in.limits.approval_wait = std::chrono::seconds(s.approval_wait_seconds);
      std::signal(SIGTERM, on_sigterm);
    }
    in.prompt += earlier_runs_context(s.earlier_runs, in.approvals);

    if (s.telemetry) in.telemetry.endpoint = s.telemetry->otlp_endpoint;
    in.telemetry.resource_attributes = session::resource_attributes(s);

    Published published;
    const std::string push_branch = s.push_branch;
    std::size_t files_changed = 0;
    in.after_loop = [&](session::AfterLoop& after, session::SessionOutput& out) {
      if (!with_repo) return;
      try {
        files_changed = repo.changed_files().size();
        if (out.result.outcome == contract::Outcome::Succeeded && !push_branch.empty() && files_changed > 0)
          published = publish(repo, push_branch, session_name, after, out.result);
      } catch (const git::GitError& e) {
        out.result.outcome = contract::Outcome::Failed;
        out.result.reason = "PushFailed";
        out.result.message = after.shield.check(e.what()).text;
      }
      repo.forget_credentials();
    };

    const session::SessionOutput out = session::run_session(in, std::cout);
    m.outcome = out.result.outcome;
    m.reason = out.result.reason;
    m.message = out.result.message;
    m.result.summary = out.result.summary;
    m.result.files_changed = static_cast<std::int64_t>(files_changed);
    m.result.branch = published.branch;
    m.result.commit = published.commit;
    m.usage = out.result.usage;
    m.trace_id = out.trace_id;
    m.pending_approval = out.result.pending_approval;
    exit_code = (m.outcome == contract::Outcome::Succeeded || m.outcome == contract::Outcome::AwaitingApproval) ? 0 : 1;
  } catch (const Failure& e) {
    m.outcome = contract::Outcome::Failed;
    m.reason = e.reason;
    m.message = e.what();
  } catch (const llm::ConfigError& e) {
    m.outcome = contract::Outcome::Failed;
    m.reason = "GatewayConfigError";
    m.message = e.what();
  } catch (const std::exception& e) {
    m.outcome = contract::Outcome::Failed;
    m.reason = "RunnerError";
    m.message = e.what();
  }
  write_termination(termination_log, m);
  if (exit_code != 0)
    std::cerr << "droid-runner run: " << contract::outcome_name(m.outcome) << " (" << m.reason << "): " << m.message
              << "\n";
  return exit_code;
}

}  // namespace

int run_command(const std::vector<std::string>& args) { return run(args); }

}  // namespace droid::runner
