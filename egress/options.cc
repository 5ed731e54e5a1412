#include "options.h"

#include "cli/flags.h"

namespace droid::egress {

const char* usage() {
  return "usage: droid-egress [--namespace NS] [--kubeconfig FILE [--context NAME]]\n"
         "       droid-egress --sessions-file FILE\n"
         "  --listen HOST:PORT (0.0.0.0:3128)   --ops-listen HOST:PORT (0.0.0.0:9464)\n"
         "  --threads N (2)   --idle-seconds N (300)   --connect-seconds N (10)   --pod-wait-ms N (2000)\n"
         "  --otlp-endpoint URL ($OTEL_EXPORTER_OTLP_ENDPOINT)   --log-level debug|info|warn|error\n";
}

void split_host_port(const std::string& flag, const std::string& text, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  const std::string number = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == std::string::npos || colon == 0 || number.empty() || number.size() > 5 ||
      number.find_first_not_of("0123456789") != std::string::npos || std::stoi(number) > 65535)
    throw OptionsError("--" + flag + ": expected HOST:PORT such as 0.0.0.0:3128 (got \"" + text + "\")");
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  port = std::stoi(number);
}

Options parse_options(const std::vector<std::string>& args, const std::string& env_otlp_endpoint) {
  std::vector<cli::Flags::Spec> specs = {{"help", cli::Flags::Bool}};
  for (const char* name : {"namespace", "kubeconfig", "context", "sessions-file", "listen", "ops-listen", "threads",
                           "idle-seconds", "connect-seconds", "pod-wait-ms", "otlp-endpoint", "log-level"})
    specs.push_back({name, cli::Flags::Value});
  cli::Flags f(std::move(specs));
  Options o;
  try {
    f.parse(args);
    if (!f.positional().empty())
      throw OptionsError("unexpected argument \"" + f.positional().front() + "\" (droid-egress takes only flags)");
    o.help = f.has("help");
    o.namespace_name = f.value("namespace");
    o.kubeconfig = f.value("kubeconfig");
    o.context = f.value("context");
    o.sessions_file = f.value("sessions-file");
    if (f.has("sessions-file") && o.sessions_file.empty()) throw OptionsError("--sessions-file: expected a file");
    if (!o.sessions_file.empty()) {
      for (const char* k : {"namespace", "kubeconfig", "context"}) {
        if (f.has(k))
          throw OptionsError(std::string("--") + k +
                             ": not with --sessions-file (the local mode reads no Kubernetes objects)");
      }
    }
    if (f.has("context") && o.kubeconfig.empty()) throw OptionsError("--context: needs --kubeconfig");
    if (f.has("listen")) split_host_port("listen", f.value("listen"), o.listen_host, o.listen_port);
    if (f.has("ops-listen")) split_host_port("ops-listen", f.value("ops-listen"), o.ops_host, o.ops_port);
    o.threads = static_cast<int>(f.integer("threads", o.threads, 1, 64));
    o.idle_timeout = std::chrono::seconds(f.integer("idle-seconds", o.idle_timeout.count(), 1, 86400));
    o.connect_timeout = std::chrono::seconds(f.integer("connect-seconds", o.connect_timeout.count(), 1, 600));
    o.pod_wait = std::chrono::milliseconds(f.integer("pod-wait-ms", o.pod_wait.count(), 0, 60000));
    o.otlp_endpoint = f.has("otlp-endpoint") ? f.value("otlp-endpoint") : env_otlp_endpoint;
    if (!o.otlp_endpoint.empty() && !o.otlp_endpoint.starts_with("http://") && !o.otlp_endpoint.starts_with("https://"))
      throw OptionsError("--otlp-endpoint: expected an http:// or https:// URL (got \"" + o.otlp_endpoint + "\")");
    o.log_level = f.value("log-level", o.log_level);
    if (o.log_level != "debug" && o.log_level != "info" && o.log_level != "warn" && o.log_level != "error")
      throw OptionsError("--log-level: expected debug, info, warn or error (got \"" + o.log_level + "\")");
  } catch (const cli::FlagError& e) {
    throw OptionsError(e.what());
  }
  return o;
}

}  // namespace droid::egress
