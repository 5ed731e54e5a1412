// droid-egress: the egress gateway (README.md in this folder; flags: options.h).
// Kubernetes mode watches grants, Secrets and runner pods (kube_feed.h); local mode
// reads a sessions file (file_feed.h) and re-reads it on SIGHUP. In Kubernetes mode a
// refused request of a known session also becomes an event on its DroidSession
// (refusal_events.h). Serves until SIGTERM/SIGINT. Forgets finished sessions an hour
// after their deadline.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "file_feed.h"
#include "kube/client.h"
#include "kube/config.h"
#include "kube/event_recorder.h"
#include "kube_feed.h"
#include "log/log.h"
#include "options.h"
#include "otlp_audit.h"
#include "proxy.h"
#include "refusal_events.h"

namespace {

using namespace droid::egress;
namespace kube = droid::kube;

std::string env(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start, before any thread; nothing calls setenv
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string default_namespace(const kube::Config& config, bool in_cluster) {
  if (std::string ns = env("POD_NAMESPACE"); !ns.empty()) return ns;
  if (in_cluster && !config.default_namespace.empty()) return config.default_namespace;
  return "droid-system";
}

int run(const Options& o) {
  droid::log::set_min_level(droid::log::parse_level(o.log_level));
  droid::log::Logger log("egress");
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigtimedwait sees them

  auto registry = std::make_shared<SessionRegistry>();
  auto table = std::make_shared<SessionTable>(registry);
  std::unique_ptr<FileFeed> file_feed;
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<KubeFeed> kube_feed;
  std::unique_ptr<kube::EventRecorder> events;
  std::unique_ptr<RefusalEvents> refusal_events;
  ProxyOptions options;
  if (!o.sessions_file.empty()) {
    file_feed = std::make_unique<FileFeed>(o.sessions_file, table);
    file_feed->load();
  } else {
    const bool in_cluster = o.kubeconfig.empty();
    kube::Config config =
        in_cluster ? kube::load_in_cluster() : kube::load_kubeconfig(o.kubeconfig, {o.context, false});
    const std::string ns = o.namespace_name.empty() ? default_namespace(config, in_cluster) : o.namespace_name;
    log.info("watching grants, secrets and runner pods", {{"server", config.server}, {"namespace", ns}});
    client = std::make_unique<kube::Client>(std::move(config));
    kube_feed = std::make_unique<KubeFeed>(
        *client, table, KubeFeedOptions{ns, [&log](const std::string& message, const std::string& detail) {
                                          log.warn(message, {{"detail", detail}});
                                        }});
    kube_feed->start();
    options.readiness = [feed = kube_feed.get()] { return feed->why_not_ready(); };
    const std::string pod = env("POD_NAME");
    events = std::make_unique<kube::EventRecorder>(
        *client, kube::EventRecorderOptions{.reporting_controller = "droid.dev/egress-gateway",
                                            .reporting_instance = pod.empty() ? "droid-egress" : pod});
    refusal_events = std::make_unique<RefusalEvents>(RefusalEventsOptions{}, [&events](const RefusalEvent& e) {
      events->record({"droid.dev/v1alpha1", "DroidSession", e.namespace_name, e.name, e.uid, ""},
                     kube::EventType::Warning, kRefusalEventReason, kRefusalEventAction, e.note);
    });
    options.on_refusal = [r = refusal_events.get()](const AuditRecord& record, const std::string& uid) {
      r->refused(record, uid, std::chrono::steady_clock::now());
    };
  }
  options.listen_host = o.listen_host;
  options.listen_port = o.listen_port;
  options.ops_host = o.ops_host;
  options.ops_port = o.ops_port;
  options.threads = o.threads;
  options.idle_timeout = o.idle_timeout;
  options.connect_timeout = o.connect_timeout;
  options.pod_wait = o.pod_wait;
  // The audit lines on stdout and, with --otlp-endpoint, as OTEL log records.
  std::unique_ptr<OtlpAudit> otlp;
  AuditLog::Observer to_otlp;
  if (!o.otlp_endpoint.empty()) {
    const std::string pod = env("POD_NAME");
    otlp = std::make_unique<OtlpAudit>(o.otlp_endpoint, pod);
    to_otlp = [sink = otlp.get()](const AuditRecord& r, const std::string& line) { sink->emit(r, line); };
    log.info("audit records also go to OTLP", {{"endpoint", o.otlp_endpoint}});
  }
  auto proxy = std::make_unique<Proxy>(options, registry,
                                       std::make_shared<AuditLog>(AuditLog::stdout_sink(), std::move(to_otlp)),
                                       std::make_shared<Metrics>());
  log.info("listening", {{"port", proxy->port()}, {"opsPort", proxy->ops_port()}, {"grants", table->grants()}});

  for (;;) {
    const timespec minute{60, 0};
    const int sig = sigtimedwait(&signals, nullptr, &minute);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (sig == SIGHUP && file_feed) {
      try {
        file_feed->load();
        log.info("sessions file reloaded", {{"grants", table->grants()}});
      } catch (const std::exception& e) {
        log.error("sessions file not reloaded (nothing changed)", {{"error", e.what()}});
      }
    }
    registry->prune(Clock::now(), std::chrono::hours(1));
    for (const auto& p : table->problems()) log.warn("grant problem", {{"detail", p}});
  }
  log.info("stopping");
  proxy.reset();
  if (events) events->flush(std::chrono::seconds(5));
  otlp.reset();  // flushes what is queued
  if (kube_feed) kube_feed->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  droid::log::Logger log("egress");
  Options o;
  try {
    o = parse_options(std::vector<std::string>(argv + 1, argv + argc), env("OTEL_EXPORTER_OTLP_ENDPOINT"));
  } catch (const OptionsError& e) {
    std::cerr << "droid-egress: " << e.what() << "\n" << usage();
    return 2;
  }
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    log.error("cannot start", {{"error", e.what()}});
    return 1;
  }
}
