// The gateway's configuration file (JSON), as the Helm chart mounts it:
//
//   {"listen": "0.0.0.0:3128", "opsListen": "0.0.0.0:9464", "threads": 2, "idleSeconds": 300,
//    "destinations": [
//      {"name": "llm", "hosts": ["litellm.llm.svc"], "ports": [4000],
//       "methods": ["POST"], "pathPrefixes": ["/v1/"],
//       "credential": {"type": "bearer", "file": "/etc/droid-egress/llm/api-key"},
//       "tls": {"caFile": "/etc/droid-egress/llm/ca.crt",            // upstream HTTPS
//               "certFile": "...", "keyFile": "..."}},                 // optional mTLS
//      {"name": "git", "hosts": ["git.corp"], "ports": [80],
//       "git": {"repositories": ["/team/app.git"]},
//       "credential": {"type": "basic", "file": "/etc/droid-egress/git/userpass"}},
//      {"name": "pypi-mirror", "hosts": ["*.mirror.corp"], "ports": [443], "tunnel": true}],
//    "sessionsFile": "/var/run/droid-egress/sessions.json"}
//
// Secrets are read from files (Secret volumes), never written in the file itself.
// Errors name the field and the fix: `destinations[1].hosts[0]: host pattern "a.*": ...`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "destination.h"
#include "session_registry.h"

namespace droid::egress {

struct Config {
  std::string listen_host = "0.0.0.0";
  int listen_port = 3128;
  std::string ops_host = "0.0.0.0";
  int ops_port = 9464;
  int threads = 2;
  int idle_seconds = 300;
  std::vector<Destination> destinations;
  std::string sessions_file;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ConfigError naming the field.
Config parse_config(const nlohmann::json& doc);
Config load_config(const std::string& path);

// Sessions file: [{"id": "ns/name", "tokenFile" | "token": ..., "podIP": "10.0.0.7",
// "expiresAt": "2026-12-07T05:00:00Z", "destinations": ["llm", "git"], "pushBranch": "droid/x",
// "finished": false}]. The file is the whole truth: its sessions are added or replaced, and
// a known session it no longer lists is finished (its token refused). The file is checked
// whole before the registry changes. Throws ConfigError naming the entry.
void load_sessions(const nlohmann::json& doc, SessionRegistry& registry);

// "2026-12-07T05:00:00Z" (UTC, optional fraction) -> time point; throws std::invalid_argument.
Clock::time_point parse_rfc3339(const std::string& text);

std::string read_file(const std::string& path);  // throws ConfigError naming the path

}  // namespace droid::egress
