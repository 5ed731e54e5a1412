#include "cli/exec_command.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "cli/flags.h"
#include "llm/error.h"
#include "session/session.h"
#include "session/session_settings.h"
#include "settings/load.h"

namespace droid::runner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kUsage =
    "usage: droid-runner exec [OPTIONS] (PROMPT | --prompt-file FILE | -)\n"
    "\n"
    "Runs one agent session in a local workspace, under the same controls as in a pod.\n"
    "  --auto LEVEL             autonomy: off (read-only, default), low, medium, high\n"
    "  --model M                the model (default: sessionDefaults.model of the settings)\n"
    "  --gateway URL            the LLM gateway (default $DROID_GATEWAY_URL); OpenAI: .../v1\n"
    "  --provider P             openai (default) or anthropic\n"
    "  --api-key-file FILE      the gateway key (default $DROID_API_KEY, $OPENAI_API_KEY, $ANTHROPIC_API_KEY)\n"
    "  --no-api-key             the gateway needs no key (without a key and this, exec refuses to start)\n"
    "  --connect-timeout S, --idle-timeout S, --total-timeout S\n"
    "                           one gateway request: connecting, silence while waiting for bytes (raise it\n"
    "                           above the time a gateway queues requests), all of it (default 10, 60, 300)\n"
    "  --ca-file FILE           trust only this CA bundle for the gateway\n"
    "  --client-cert FILE, --client-key FILE   a client certificate (mTLS)\n"
    "  --settings FILE          an org-level settings layer, highest first (repeatable)\n"
    "  --workspace DIR          where the agent works (default: the current directory)\n"
    "  --max-turns N            LLM requests allowed (default 50)\n"
    "  --max-tokens N           input+output tokens allowed (default: no limit)\n"
    "  --timeout SECONDS        wall time of the session (default 3600)\n"
    "  --command-timeout SECONDS  one command's time (default 600)\n"
    "  --network none|gateway   inet sockets for commands (default none)\n"
    "  --reasoning-effort E     passed to OpenAI-compatible gateways\n"
    "  --stream                 stream the model's text to stderr as it arrives\n"
    "  --output-format F        text (the final answer, default) or json\n"
    "  --audit-log FILE|-       the audit log (JSON lines); default stderr, - for stdout\n"
    "  --otlp-endpoint URL      send OpenTelemetry (OTLP/HTTP) there\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(std::string(what) + ": cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string env(const char* name) {
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup, before any thread
  return v == nullptr ? "" : v;
}

std::string local_session_id() {
  std::random_device rd;
  std::ostringstream s;
  s << "local/" << std::hex << rd() << rd();
  return s.str();
}

json result_json(const session::SessionOutput& out) {
  const auto& r = out.result;
  json j = {{"outcome", contract::outcome_name(r.outcome)},
            {"reason", r.reason},
            {"message", r.message},
            {"summary", r.summary},
            {"turns", r.turns},
            {"usage",
             {{"inputTokens", r.usage.input_tokens},
              {"outputTokens", r.usage.output_tokens},
              {"llmRequests", r.usage.llm_requests},
              {"toolCalls", r.usage.tool_calls},
              {"commandsBlocked", r.usage.commands_blocked}}},
            {"traceId", out.trace_id}};
  if (r.pending_approval) j["pendingApproval"] = {{"command", r.pending_approval->command}};
  return j;
}

int run(const std::vector<std::string>& args) {
  cli::Flags f({{"auto", cli::Flags::Value},         {"model", cli::Flags::Value},
                {"gateway", cli::Flags::Value},      {"provider", cli::Flags::Value},
                {"api-key-file", cli::Flags::Value}, {"ca-file", cli::Flags::Value},
                {"client-cert", cli::Flags::Value},  {"client-key", cli::Flags::Value},
                {"settings", cli::Flags::Repeated},  {"workspace", cli::Flags::Value},
                {"max-turns", cli::Flags::Value},    {"max-tokens", cli::Flags::Value},
                {"timeout", cli::Flags::Value},      {"command-timeout", cli::Flags::Value},
                {"network", cli::Flags::Value},      {"reasoning-effort", cli::Flags::Value},
                {"stream", cli::Flags::Bool},        {"output-format", cli::Flags::Value},
                {"audit-log", cli::Flags::Value},    {"otlp-endpoint", cli::Flags::Value},
                {"prompt-file", cli::Flags::Value},  {"help", cli::Flags::Bool},
                {"no-api-key", cli::Flags::Bool},    {"connect-timeout", cli::Flags::Value},
                {"idle-timeout", cli::Flags::Value}, {"total-timeout", cli::Flags::Value}});
  f.parse(args);
  if (f.has("help")) {
    std::cout << kUsage;
    return 0;
  }

  std::string prompt;
  if (f.has("prompt-file")) {
    if (!f.positional().empty()) throw UsageError("give the prompt either as an argument or with --prompt-file");
    prompt = read_file(f.value("prompt-file"), "--prompt-file");
  } else if (f.positional().size() == 1 && f.positional()[0] == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    prompt = s.str();
  } else if (f.positional().size() == 1) {
    prompt = f.positional()[0];
  } else {
    throw UsageError(f.positional().empty() ? "no prompt: pass it as the last argument, - for stdin, or --prompt-file"
                                            : "one prompt only: quote it as a single argument");
  }
  if (prompt.find_first_not_of(" \t\r\n") == std::string::npos) throw UsageError("the prompt is empty");

  session::SessionInputs in;
  std::error_code ec;
  const fs::path workspace = fs::canonical(f.value("workspace", fs::current_path().string()), ec);
  if (ec || !fs::is_directory(workspace)) throw UsageError("--workspace: not a directory: " + f.value("workspace"));
  in.workspace = workspace.string();

  std::vector<std::string> errors;
  std::vector<session::Layer> layers;
  const auto files = f.values("settings");
  for (std::size_t i = 0; i < files.size(); ++i) {
    settings::Loaded loaded = settings::load_settings_file(files[i]);
    for (const auto& e : loaded.errors) errors.push_back("--settings " + e);
    for (const auto& w : loaded.warnings) std::cerr << "droid-runner exec: warning: --settings " << w << "\n";
    layers.push_back({"settings[" + std::to_string(i) + "]", loaded.settings});
  }
  for (auto& l : session::repository_layers(in.workspace, "", errors)) layers.push_back(std::move(l));
  const settings::Merged merged = session::merge_layers(layers, errors);
  if (!errors.empty()) {
    std::string all;
    for (const auto& e : errors) all += "\n  " + e;
    throw UsageError("the settings are not usable:" + all);
  }
  in.settings = merged.settings;

  std::string error;
  in.model = session::resolve_model(in.settings, f.value("model"), error);
  if (in.model.empty()) throw UsageError(error);
  const auto autonomy = session::resolve_autonomy(in.settings, f.value("auto"), error);
  if (!autonomy) throw UsageError("--auto: " + error);
  in.autonomy = *autonomy;

  in.gateway.provider = llm::parse_provider(f.value("provider", "openai"));
  in.gateway.base_url = f.value("gateway", env("DROID_GATEWAY_URL"));
  if (in.gateway.base_url.empty()) throw UsageError("no gateway: pass --gateway URL or set DROID_GATEWAY_URL");
  const char* provider_env = in.gateway.provider == llm::Provider::OpenAI ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
  if (f.has("no-api-key")) {
    if (f.has("api-key-file")) throw UsageError("--no-api-key and --api-key-file contradict each other: choose one");
    in.gateway.auth = llm::AuthScheme::None;
  } else if (f.has("api-key-file")) {
    in.gateway.api_key = llm::load_api_key(f.value("api-key-file"), "");
  } else {
    in.gateway.api_key = env("DROID_API_KEY").empty() ? env(provider_env) : env("DROID_API_KEY");
    if (in.gateway.api_key.empty()) {
      throw UsageError(std::string("no gateway API key: pass --api-key-file FILE or set DROID_API_KEY (or ") +
                       provider_env + "); --no-api-key if the gateway needs none");
    }
  }
  in.gateway.connect_timeout = std::chrono::seconds(f.integer("connect-timeout", 10, 1, 86400));
  in.gateway.idle_timeout = std::chrono::seconds(f.integer("idle-timeout", 60, 1, 86400));
  in.gateway.request_timeout = std::chrono::seconds(f.integer("total-timeout", 300, 1, 86400));
  in.gateway.ca_file = f.value("ca-file");
  in.gateway.client_cert_file = f.value("client-cert");
  in.gateway.client_key_file = f.value("client-key");
  if (in.gateway.client_cert_file.empty() != in.gateway.client_key_file.empty())
    throw UsageError("--client-cert and --client-key go together");
  in.gateway.proxy = llm::ProxyEnvironment::from_process_environment();

  in.limits.max_turns = static_cast<int>(f.integer("max-turns", 50, 1, 10000));
  in.limits.max_tokens = f.integer("max-tokens", 0, 0, 1'000'000'000'000LL);
  in.limits.wall_time = std::chrono::seconds(f.integer("timeout", 3600, 1, 7LL * 24 * 3600));
  in.gateway.deadline = in.limits.wall_time;
  in.command_timeout = std::chrono::seconds(f.integer("command-timeout", 600, 1, 24LL * 3600));
  const std::string network = f.value("network", "none");
  if (network != "none" && network != "gateway")
    throw UsageError("--network: \"" + network + "\" is not none or gateway");
  in.command_network = network == "gateway" ? sandbox::Network::Gateway : sandbox::Network::None;
  in.reasoning_effort = f.value("reasoning-effort");
  in.stream = f.has("stream");
  const std::string format = f.value("output-format", "text");
  if (format != "text" && format != "json") throw UsageError("--output-format: \"" + format + "\" is not text or json");
  in.telemetry.endpoint = f.value("otlp-endpoint", env("OTEL_EXPORTER_OTLP_ENDPOINT"));
  in.telemetry.resource_attributes = {{"droid.environment", "local"}, {"enduser.id", env("USER")}};
  in.session_id = local_session_id();
  in.telemetry.resource_attributes["droid.session"] = in.session_id;
  in.prompt = prompt;

  std::unique_ptr<std::ofstream> audit_file;
  std::ostream* audit = &std::cerr;
  const std::string audit_to = f.value("audit-log");
  if (audit_to == "-") {
    audit = &std::cout;
  } else if (!audit_to.empty()) {
    audit_file = std::make_unique<std::ofstream>(audit_to, std::ios::app);
    if (!*audit_file) throw UsageError("--audit-log: cannot write " + audit_to);
    audit = audit_file.get();
  }
  const llm::TextCallback on_text = [](std::string_view delta) { std::cerr << delta << std::flush; };
  const session::SessionOutput out = session::run_session(in, *audit, on_text);
  if (format == "json") {
    std::cout << result_json(out).dump() << "\n";
  } else if (out.result.outcome == contract::Outcome::Succeeded) {
    std::cout << out.result.summary << (out.result.summary.empty() || out.result.summary.back() == '\n' ? "" : "\n");
  } else {
    std::cerr << "droid-runner exec: " << contract::outcome_name(out.result.outcome) << " (" << out.result.reason
              << "): " << out.result.message << "\n";
  }
  return out.result.outcome == contract::Outcome::Succeeded ? 0 : 1;
}

}  // namespace

int exec_command(const std::vector<std::string>& args) {
  try {
    return run(args);
  } catch (const cli::FlagError& e) {
    std::cerr << "droid-runner exec: " << e.what() << "\n\n" << kUsage;
  } catch (const UsageError& e) {
    std::cerr << "droid-runner exec: " << e.what() << "\n";
  } catch (const llm::ConfigError& e) {
    std::cerr << "droid-runner exec: gateway: " << e.what() << "\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "droid-runner exec: " << e.what() << "\n";
  }
  return 2;
}

}  // namespace droid::runner
