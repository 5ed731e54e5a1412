// droid-scripted-gateway: serves a script over the OpenAI and Anthropic APIs until
// SIGTERM or SIGINT (see scripted_gateway.h).
//
//   droid-scripted-gateway --script FILE [--listen http://0.0.0.0:8080]
//       [--api-key-file FILE]            (else the variable DROID_GATEWAY_API_KEY)
//       [--tls-cert FILE --tls-key FILE] [--client-ca FILE] [--record FILE]
//
// Prints one JSON line {"listening": URL} on stdout once it accepts requests.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include <pthread.h>

#include <nlohmann/json.hpp>

#include "llm/testing/scripted_gateway.h"

namespace {

int usage(const std::string& error) {
  std::cerr << "droid-scripted-gateway: " << error << "\n"
            << "usage: droid-scripted-gateway --script FILE [--listen URL] [--api-key-file FILE] "
               "[--tls-cert FILE --tls-key FILE] [--client-ca FILE] [--record FILE]\n";
  return 2;
}

std::string read_key(const std::string& file) {
  if (file.empty()) {
    const char* v = std::getenv("DROID_GATEWAY_API_KEY");  // NOLINT(concurrency-mt-unsafe): before any thread
    return v == nullptr ? "" : v;
  }
  std::ifstream in(file);
  std::string key;
  std::getline(in, key);
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.pop_back();
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  using droid::llm::testing::GatewayOptions;
  GatewayOptions options;
  options.listen_url = "http://0.0.0.0:8080";
  std::string script_file;
  std::string key_file;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage("serves a scripted LLM conversation");
      return 0;
    }
    if (i + 1 >= argc) return usage(arg + " needs a value");
    const std::string value = argv[++i];
    if (arg == "--script") {
      script_file = value;
    } else if (arg == "--listen") {
      options.listen_url = value;
    } else if (arg == "--api-key-file") {
      key_file = value;
    } else if (arg == "--tls-cert") {
      options.tls_cert_file = value;
    } else if (arg == "--tls-key") {
      options.tls_key_file = value;
    } else if (arg == "--client-ca") {
      options.client_ca_file = value;
    } else if (arg == "--record") {
      options.record_file = value;
    } else {
      return usage("unknown option " + arg);
    }
  }
  if (script_file.empty()) return usage("--script is required");
  options.api_key = read_key(key_file);
  if (options.api_key.empty()) return usage("no API key: give --api-key-file or set DROID_GATEWAY_API_KEY");

  // Block the stop signals in every thread (cpprestsdk's inherit the mask) and wait for them here.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  try {
    droid::llm::testing::ScriptedGateway gateway(droid::llm::testing::load_script(script_file), options);
    std::cout << nlohmann::json{{"listening", gateway.url()}}.dump() << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
  } catch (const std::exception& e) {
    std::cerr << "droid-scripted-gateway: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
