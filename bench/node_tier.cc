#include "node_tier.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_client.h>
#include <nlohmann/json.hpp>

#include "contract/rfc3339.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kube/reflector.h"
#include "kube/store.h"
#include "latency_stats.h"

namespace droid::bench {
namespace {

using json = nlohmann::json;
using Wall = std::chrono::system_clock;  // the gateway's receivedAtMs is wall-clock time
using namespace std::chrono_literals;

std::int64_t ms_since_epoch(Wall::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The test bed's scripted gateway (GET /_gateway/requests, PUT /_gateway/script), reached
// from the host through its ClusterIP (kube-proxy), as the session e2e tests reach it.
class Gateway {
 public:
  Gateway(const std::string& url, std::string key) : client_(url), key_(std::move(key)) {}

  void set_script(const json& script) {
    const auto answer = call(web::http::methods::PUT, "/_gateway/script", script.dump());
    if (answer.first != 200)
      throw std::runtime_error("the gateway refused the bench's script: HTTP " + std::to_string(answer.first) + " " +
                               answer.second);
  }

  json requests() {
    const auto answer = call(web::http::methods::GET, "/_gateway/requests", "");
    if (answer.first != 200)
      throw std::runtime_error("the gateway's recorded requests: HTTP " + std::to_string(answer.first));
    return json::parse(answer.second);
  }

 private:
  std::pair<int, std::string> call(const web::http::method& method, const std::string& path, const std::string& body) {
    web::http::http_request request(method);
    request.set_request_uri(path);
    request.headers().add("Authorization", "Bearer " + key_);
    if (!body.empty()) request.set_body(body, "application/json");
    auto response = client_.request(request).get();
    return {response.status_code(), response.extract_utf8string(true).get()};
  }

  web::http::client::http_client client_;
  std::string key_;
};

// The first time each event of a session was seen, by name.
struct Milestones {
  std::map<std::string, Wall::time_point> pod_created;
  std::map<std::string, Wall::time_point> pod_running;
  // The kubelet's startedAt of the runner container (whole seconds): a pod whose work
  // takes about a second often goes from Pending to Succeeded in one status update, and
  // no watch sees it Running.
  std::map<std::string, Wall::time_point> runner_started;
  std::map<std::string, Wall::time_point> session_running;
  std::map<std::string, Wall::time_point> finished;
  std::map<std::string, std::string> final_phase;
};

const std::set<std::string> kFinalPhases = {"Succeeded", "Failed", "TimedOut",
                                            "Cancelled", "Denied", "AwaitingApproval"};

// Watches the sessions and runner pods of the namespaces whose names start with `prefix`
// (the bench's own) and notes their milestones.
class NodeWatch {
 public:
  NodeWatch(const kube::Config& config, std::string prefix)
      : client_(config),
        prefix_(std::move(prefix)),
        pods_(client_, kube::kPods, {.label_selector = "app.kubernetes.io/component=runner"}, nullptr,
              {.on_add = [this](const json& pod) { pod_seen(pod); },
               .on_update = [this](const json&, const json& pod) { pod_seen(pod); }}),
        sessions_(client_, kube::kDroidSessions, {}, nullptr,
                  {.on_add = [this](const json& s) { session_seen(s); },
                   .on_update = [this](const json&, const json& s) { session_seen(s); }}) {}

  void start() {
    pods_.start();
    sessions_.start();
    if (!pods_.wait_for_sync(60s) || !sessions_.wait_for_sync(60s))
      throw std::runtime_error("the node-tier watches did not sync");
  }

  Milestones milestones() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return m_;
  }

  // The runner container's CPU request of the first runner pod seen ("" before one is).
  std::string runner_cpu_request() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return runner_cpu_request_;
  }

 private:
  bool ours(const json& o) const { return o["metadata"].value("namespace", "").starts_with(prefix_); }

  static std::string phase_of(const json& o) {
    const auto st = o.find("status");
    return st != o.end() && st->is_object() ? st->value("phase", "") : "";
  }

  void pod_seen(const json& pod) {
    const auto now = Wall::now();
    const auto& meta = pod["metadata"];
    const std::string session = meta.contains("labels") ? meta["labels"].value("droid.dev/session", "") : "";
    if (session.empty() || !ours(pod)) return;
    const std::string cpu = cpu_request_of(pod);
    const std::lock_guard<std::mutex> lock(mu_);
    if (runner_cpu_request_.empty()) runner_cpu_request_ = cpu;
    m_.pod_created.emplace(session, now);
    if (phase_of(pod) == "Running") m_.pod_running.emplace(session, now);
    if (const auto started = runner_started_at(pod)) m_.runner_started.emplace(session, *started);
  }

  void session_seen(const json& s) {
    const auto now = Wall::now();
    if (!ours(s)) return;
    const std::string name = s["metadata"].value("name", "");
    const std::string phase = phase_of(s);
    const std::lock_guard<std::mutex> lock(mu_);
    if (phase == "Running") m_.session_running.emplace(name, now);
    if (kFinalPhases.contains(phase) && m_.finished.emplace(name, now).second) m_.final_phase[name] = phase;
  }

  static std::optional<Wall::time_point> runner_started_at(const json& pod) {
    const json::json_pointer statuses("/status/containerStatuses");
    if (!pod.contains(statuses) || !pod[statuses].is_array()) return std::nullopt;
    for (const auto& c : pod[statuses]) {
      if (!c.is_object() || c.value("name", "") != "runner" || !c.contains("state")) continue;
      for (const char* state : {"running", "terminated"}) {
        const json::json_pointer at("/state/" + std::string(state) + "/startedAt");
        if (c.contains(at) && c[at].is_string()) return contract::parse_rfc3339(c[at].get<std::string>());
      }
    }
    return std::nullopt;
  }

  static std::string cpu_request_of(const json& pod) {
    const json::json_pointer cpu("/spec/containers/0/resources/requests/cpu");
    return pod.contains(cpu) && pod[cpu].is_string() ? pod[cpu].get<std::string>() : "";
  }

  kube::Client client_;
  std::string prefix_;
  mutable std::mutex mu_;
  Milestones m_;
  std::string runner_cpu_request_;
  kube::Reflector pods_;  // the reflectors last: stopped before the rest goes
  kube::Reflector sessions_;
};

std::string session_name(int i) { return "n-" + std::to_string(i); }

// What the session's prompt carries so that its requests can be told apart at the gateway.
std::string marker(int i) { return "[droid-bench " + session_name(i) + "]"; }

void create_namespace(kube::Client& admin, const std::string& name) {
  admin.create(kube::kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  for (;;) {
    try {
      admin.get(kube::kServiceAccounts, name, "default");
      return;
    } catch (const kube::ApiError& e) {
      if (!e.not_found() || std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(100ms);
  }
}

// How many sessions go to one namespace: the test bed's OrgPolicy limits concurrent
// sessions per namespace (10 in the chart's default), and a session over the limit waits
// for a slot, which is not what this figure is about; so the sessions are spread over
// as many namespaces as the limit asks. All of them when the policy sets no limit.
int sessions_per_namespace(kube::Client& admin, const std::string& policy, int sessions) {
  if (policy.empty()) return sessions;
  try {
    const json p = admin.get(kube::kOrgPolicies, "", policy);
    const json::json_pointer limit("/spec/limits/maxConcurrentSessionsPerNamespace");
    if (p.contains(limit) && p[limit].is_number_integer() && p[limit].get<int>() > 0)
      return std::min(sessions, p[limit].get<int>());
  } catch (const kube::ApiError& e) {
    if (!e.not_found()) throw;
  }
  return sessions;
}

// A CPU quantity ("250m", "2", "1.5") in millicores; 0 when it is none of those.
std::int64_t millicores(const std::string& q) {
  try {
    if (q.ends_with('m')) return std::stoll(q.substr(0, q.size() - 1));
    return static_cast<std::int64_t>(std::stod(q) * 1000);
  } catch (const std::exception&) {
    return 0;
  }
}

// "node N: allocatable cpu 2000m, runner pods request 250m each: at most 8 at once".
std::string node_capacity(kube::Client& admin, const std::string& runner_cpu_request) {
  const kube::Resource nodes{"", "v1", "nodes", false};
  std::string out;
  for (const auto& node : admin.list(nodes, "").value("items", json::array())) {
    const json::json_pointer cpu("/status/allocatable/cpu");
    const std::string allocatable = node.contains(cpu) && node[cpu].is_string() ? node[cpu].get<std::string>() : "";
    out += "node " + node["metadata"].value("name", "") + ": allocatable cpu " + allocatable;
    const std::int64_t request = millicores(runner_cpu_request);
    if (request > 0)
      out += ", runner pods request " + runner_cpu_request + " each (the test bed's pods request some too): at most " +
             std::to_string(millicores(allocatable) / request) + " at once";
    out += "\n";
  }
  return out;
}

void print_row(const char* what, const std::vector<double>& ms, int n) {
  if (ms.empty()) {
    std::printf("  %-30s | %8s %8s %8s | 0/%d\n", what, "-", "-", "-", n);
    return;
  }
  const LatencySummary s = summarize(ms);
  std::printf("  %-30s | %8.0f %8.0f %8.0f | %zu/%d\n", what, s.p50, s.p99, s.max, s.count, n);
}

}  // namespace

int run_node_tier(const NodeTierOptions& options) {
  const json stack = json::parse(read_text(options.stack_info));
  const kube::Config config = kube::load_kubeconfig(options.kubeconfig);
  kube::Client admin(config);
  Gateway gateway(stack.value("gatewayURL", ""), trimmed(read_text(stack.value("gatewayKeyFile", ""))));
  // Every request gets the same short answer: the session ends after one LLM call.
  gateway.set_script({{"turns",
                       {{{"name", "bench"},
                         {"repeat", true},
                         {"response", {{"text", "Done."}, {"usage", {{"inputTokens", 20}, {"outputTokens", 2}}}}}}}}});

  const int n = options.sessions;
  const std::string prefix = "droid-bench-node-" + std::to_string(getpid()) + "-";
  const int per_namespace = sessions_per_namespace(admin, stack.value("orgPolicy", ""), n);
  std::vector<std::string> namespaces;
  for (int k = 0; k * per_namespace < n; ++k) {
    namespaces.push_back(prefix + std::to_string(k));
    create_namespace(admin, namespaces.back());
  }
  const auto namespace_of = [&](int i) { return namespaces[static_cast<std::size_t>(i / per_namespace)]; };
  std::printf(
      "\nnode tier: %d sessions created at once from %d threads, %d per namespace (the OrgPolicy's concurrency "
      "limit) in %s*; real runner pods; the chart's operator, the scripted gateway and the git server of "
      "scripts/cluster/stack.sh; load %s\n",
      n, options.creators, per_namespace, prefix.c_str(), load_average().c_str());
  std::fflush(stdout);

  int rc = 0;
  {
    NodeWatch watch(config, prefix);
    watch.start();
    std::vector<Wall::time_point> created(static_cast<std::size_t>(n));
    std::atomic<int> next{0};
    std::mutex mu;
    std::string failure;
    std::vector<std::thread> creators;
    creators.reserve(static_cast<std::size_t>(options.creators));
    for (int t = 0; t < options.creators; ++t) {
      creators.emplace_back([&] {
        try {
          kube::Client c(config);
          for (int i = next++; i < n; i = next++) {
            const json spec = {{"prompt", "Look at the repository and answer Done. " + marker(i)},
                               {"repository", {{"url", stack.value("gitRepositoryURL", "")}, {"ref", "main"}}},
                               {"model", stack.value("model", "")},
                               {"autonomyLevel", "medium"},
                               {"timeoutSeconds", 300}};
            created[static_cast<std::size_t>(i)] = Wall::now();
            c.create(kube::kDroidSessions, {{"apiVersion", "droid.dev/v1alpha1"},
                                            {"kind", "DroidSession"},
                                            {"metadata", {{"name", session_name(i)}, {"namespace", namespace_of(i)}}},
                                            {"spec", spec}});
          }
        } catch (const std::exception& e) {
          const std::lock_guard<std::mutex> lock(mu);
          if (failure.empty()) failure = e.what();
          next = n;
        }
      });
    }
    for (auto& t : creators) t.join();
    if (!failure.empty()) throw std::runtime_error("creating the sessions: " + failure);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
    while (watch.milestones().finished.size() < static_cast<std::size_t>(n)) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::printf("  after %d s only %zu of %d sessions have finished\n", options.timeout_seconds,
                    watch.milestones().finished.size(), n);
        rc = 1;
        break;
      }
      std::this_thread::sleep_for(250ms);
    }
    const Milestones m = watch.milestones();

    // The first request the gateway recorded from each session (its prompt's marker).
    std::map<int, std::int64_t> first_request_ms;
    for (const auto& r : gateway.requests()) {
      const std::string body = r.contains("body") ? r["body"].dump() : "";
      const std::int64_t at = r.value("receivedAtMs", std::numeric_limits<std::int64_t>::max());
      for (int i = 0; i < n; ++i) {
        if (body.find(marker(i)) == std::string::npos) continue;
        auto [it, added] = first_request_ms.emplace(i, at);
        if (!added) it->second = std::min(it->second, at);
      }
    }

    std::vector<double> pod_created, pod_running, runner_started, session_running, first_request, succeeded;
    std::map<std::string, int> phases;
    const auto since = [&](const std::map<std::string, Wall::time_point>& seen, int i, std::vector<double>& out) {
      const auto it = seen.find(session_name(i));
      if (it == seen.end()) return;
      out.push_back(
          std::chrono::duration<double, std::milli>(it->second - created[static_cast<std::size_t>(i)]).count());
    };
    for (int i = 0; i < n; ++i) {
      since(m.pod_created, i, pod_created);
      since(m.pod_running, i, pod_running);
      since(m.runner_started, i, runner_started);
      since(m.session_running, i, session_running);
      const auto phase = m.final_phase.find(session_name(i));
      ++phases[phase == m.final_phase.end() ? "(not finished)" : phase->second];
      if (phase != m.final_phase.end() && phase->second == "Succeeded") since(m.finished, i, succeeded);
      const auto request = first_request_ms.find(i);
      if (request != first_request_ms.end())
        first_request.push_back(
            static_cast<double>(request->second - ms_since_epoch(created[static_cast<std::size_t>(i)])));
    }
    std::printf("  %-30s | %8s %8s %8s | %s\n", "ms from the create call", "p50", "p99", "max", "sessions");
    print_row("runner pod created (watch)", pod_created, n);
    print_row("runner pod Running (watch)", pod_running, n);
    print_row("runner started (kubelet, 1 s)", runner_started, n);
    print_row("session Running", session_running, n);
    print_row("first LLM request (gateway)", first_request, n);
    print_row("session Succeeded", succeeded, n);
    std::string ends;
    for (const auto& [phase, count] : phases) ends += " " + phase + " " + std::to_string(count);
    std::printf("  sessions ended:%s; load %s\n  %s", ends.c_str(), load_average().c_str(),
                node_capacity(admin, watch.runner_cpu_request()).c_str());
    std::fflush(stdout);
    if (phases["Succeeded"] != n) rc = 1;
  }
  for (const auto& ns : namespaces) {
    try {
      admin.remove(kube::kNamespaces, "", ns);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench: removing %s: %s\n", ns.c_str(), e.what());
    }
  }
  return rc;
}

}  // namespace droid::bench
