// droid-egress: the egress gateway (README.md in this folder).
//   droid-egress --config /etc/droid-egress/config.json
// Serves until SIGTERM/SIGINT; SIGHUP re-reads the sessions file.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "config.h"
#include "log/log.h"
#include "proxy.h"

namespace {

int usage() {
  std::cerr << "usage: droid-egress --config FILE\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace droid::egress;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else {
      return usage();
    }
  }
  if (config_path.empty()) return usage();
  droid::log::Logger log("egress");
  try {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them

    Config config = load_config(config_path);
    auto sessions = std::make_shared<SessionRegistry>();
    auto reload = [&] {
      if (config.sessions_file.empty()) return;
      load_sessions(nlohmann::json::parse(read_file(config.sessions_file)), *sessions);
    };
    reload();
    ProxyOptions options;
    options.listen_host = config.listen_host;
    options.listen_port = config.listen_port;
    options.ops_host = config.ops_host;
    options.ops_port = config.ops_port;
    options.threads = config.threads;
    options.idle_timeout = std::chrono::seconds(config.idle_seconds);
    const std::size_t destinations = config.destinations.size();
    Proxy proxy(options, std::move(config.destinations), sessions, std::make_shared<AuditLog>(),
                std::make_shared<Metrics>());
    log.info("listening", {{"port", proxy.port()},
                           {"opsPort", proxy.ops_port()},
                           {"destinations", destinations},
                           {"sessions", sessions->size()}});
    for (;;) {
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig != SIGHUP) break;
      try {
        reload();
        log.info("sessions reloaded", {{"sessions", sessions->size()}});
      } catch (const std::exception& e) {
        log.error("sessions not reloaded", {{"error", e.what()}});
      }
    }
    log.info("stopping");
  } catch (const std::exception& e) {
    log.error("cannot start", {{"error", e.what()}});
    return 1;
  }
  return 0;
}
