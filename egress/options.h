// droid-egress's command line (libdroid/cli flags; errors name the flag):
//
//   droid-egress [--namespace NS] [--kubeconfig FILE [--context NAME]]   Kubernetes mode (in-cluster
//                                                                         config without --kubeconfig)
//   droid-egress --sessions-file FILE                                     local mode (file_feed.h)
//   common: --listen HOST:PORT (0.0.0.0:3128)  --ops-listen HOST:PORT (0.0.0.0:9464)
//           --threads N (2)  --idle-seconds N (300)  --connect-seconds N (10)  --pod-wait-ms N (2000)
//           --otlp-endpoint URL (default $OTEL_EXPORTER_OTLP_ENDPOINT; "" : no OTEL logs)
//           --log-level debug|info|warn|error (info)
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace droid::egress {

class OptionsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Options {
  // Kubernetes mode
  std::string namespace_name;  // "" : $POD_NAMESPACE, the service account's, droid-system
  std::string kubeconfig;      // "" : in-cluster
  std::string context;
  // local mode
  std::string sessions_file;

  std::string listen_host = "0.0.0.0";
  int listen_port = 3128;
  std::string ops_host = "0.0.0.0";
  int ops_port = 9464;
  int threads = 2;
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds connect_timeout{10};
  std::chrono::milliseconds pod_wait{2000};
  std::string otlp_endpoint;
  std::string log_level = "info";
  bool help = false;
};

// `env_otlp_endpoint`: $OTEL_EXPORTER_OTLP_ENDPOINT (the default of --otlp-endpoint).
// Throws OptionsError naming the flag.
Options parse_options(const std::vector<std::string>& args, const std::string& env_otlp_endpoint = "");

// "HOST:PORT" -> host, port; throws OptionsError naming `flag`.
void split_host_port(const std::string& flag, const std::string& text, std::string& host, int& port);

const char* usage();

}  // namespace droid::egress
