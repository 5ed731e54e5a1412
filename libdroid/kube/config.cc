#include "kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "kube/error.h"

namespace droid::kube {
namespace {

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(what + ": cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// A named entry of one of the kubeconfig lists (clusters, users, contexts).
YAML::Node find_named(const YAML::Node& root, const std::string& list, const std::string& name,
                      const std::string& file) {
  const YAML::Node items = root[list];
  if (items && !items.IsSequence()) throw ConfigError(file + ": " + list + " is not a list");
  if (items) {
    for (const auto& item : items) {
      if (item["name"] && item["name"].as<std::string>() == name) return item;
    }
  }
  throw ConfigError(file + ": " + list + ": no entry named \"" + name + "\"");
}

std::string scalar(const YAML::Node& node, const std::string& key, const std::string& where) {
  const YAML::Node v = node[key];
  if (!v) return "";
  if (!v.IsScalar()) throw ConfigError(where + "." + key + " is not a string");
  return v.as<std::string>();
}

// `key-data` (base64) or `key` (a file, relative to the kubeconfig's directory).
std::string data_or_file(const YAML::Node& node, const std::string& key, const std::string& where,
                         const std::filesystem::path& dir) {
  const std::string data = scalar(node, key + "-data", where);
  if (!data.empty()) {
    try {
      return base64_decode(data);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(where + "." + key + "-data: " + e.what());
    }
  }
  const std::string file = scalar(node, key, where);
  if (file.empty()) return "";
  std::filesystem::path p(file);
  if (p.is_relative()) p = dir / p;
  return read_file(p.string(), where + "." + key);
}

}  // namespace

TokenFile::TokenFile(std::string path, std::chrono::milliseconds refresh) : path_(std::move(path)), refresh_(refresh) {}

std::string TokenFile::token() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (have_token_ && now - read_at_ < refresh_) return token_;
  try {
    token_ = trim(read_file(path_, "token file"));
    have_token_ = true;
    read_at_ = now;
  } catch (const ConfigError&) {
    if (!have_token_) throw;  // keep serving the last good token while the file is being rotated
  }
  return token_;
}

std::string Config::bearer_token() const { return token_file ? token_file->token() : token; }

std::string base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  size_t padding = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) throw std::invalid_argument("invalid base64: data after padding");
    int v = value(c);
    if (v < 0) throw std::invalid_argument(std::string("invalid base64 character '") + c + "'");
    ++symbols;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (padding > 2 || symbols % 4 == 1 || (padding > 0 && (symbols + padding) % 4 != 0)) {
    throw std::invalid_argument("invalid base64: bad length or padding");
  }
  return out;
}

Config load_kubeconfig(const std::string& path, const KubeconfigOptions& options) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot read the kubeconfig");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": invalid YAML: " + e.what());
  }
  if (!root.IsMap()) throw ConfigError(path + ": not a kubeconfig (expected a mapping)");
  const auto dir = std::filesystem::path(path).parent_path();

  try {
    std::string context_name = options.context;
    if (context_name.empty()) context_name = scalar(root, "current-context", path);
    if (context_name.empty()) throw ConfigError(path + ": current-context is not set and no context was given");
    const YAML::Node context_entry = find_named(root, "contexts", context_name, path);
    const YAML::Node context = context_entry["context"];
    const std::string cwhere = path + ": contexts[" + context_name + "].context";
    if (!context || !context.IsMap()) throw ConfigError(cwhere + " is missing");
    const std::string cluster_name = scalar(context, "cluster", cwhere);
    if (cluster_name.empty()) throw ConfigError(cwhere + ".cluster is missing");
    const std::string user_name = scalar(context, "user", cwhere);

    Config config;
    const std::string ns = scalar(context, "namespace", cwhere);
    if (!ns.empty()) config.default_namespace = ns;

    const YAML::Node cluster = find_named(root, "clusters", cluster_name, path)["cluster"];
    const std::string where = path + ": clusters[" + cluster_name + "].cluster";
    if (!cluster || !cluster.IsMap()) throw ConfigError(where + " is missing");
    config.server = scalar(cluster, "server", where);
    if (config.server.empty()) throw ConfigError(where + ".server is missing");
    while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
    if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
      throw ConfigError(where + ".server: \"" + config.server + "\" is not an http(s) URL");
    }
    config.ca_pem = data_or_file(cluster, "certificate-authority", where, dir);
    const YAML::Node insecure = cluster["insecure-skip-tls-verify"];
    if (insecure && insecure.as<bool>(false)) {
      if (!options.allow_insecure) {
        throw ConfigError(where + ".insecure-skip-tls-verify: refused (the caller did not allow insecure TLS)");
      }
      config.insecure_skip_tls_verify = true;
    }

    if (!user_name.empty()) {
      const YAML::Node user = find_named(root, "users", user_name, path)["user"];
      const std::string uwhere = path + ": users[" + user_name + "].user";
      if (user && user.IsMap()) {
        config.client_cert_pem = data_or_file(user, "client-certificate", uwhere, dir);
        config.client_key_pem = data_or_file(user, "client-key", uwhere, dir);
        if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
          throw ConfigError(uwhere + ": client-certificate and client-key must be given together");
        }
        config.token = scalar(user, "token", uwhere);
        std::string token_file = scalar(user, "tokenFile", uwhere);
        if (!token_file.empty() && config.token.empty()) {
          std::filesystem::path p(token_file);
          if (p.is_relative()) p = dir / p;
          config.token_file = std::make_shared<TokenFile>(p.string());
          config.token_file->token();  // fail now, naming the file, rather than at the first request
        }
        if (user["exec"] || user["auth-provider"]) {
          throw ConfigError(uwhere + ": exec and auth-provider credential plugins are not supported");
        }
      }
    }
    return config;
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

Config load_in_cluster(const InClusterPaths& paths) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");  // NOLINT(concurrency-mt-unsafe)
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");  // NOLINT(concurrency-mt-unsafe)
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    throw ConfigError("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  Config config;
  std::string h = host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  config.server = "https://" + h + ":" + port;
  config.ca_pem = read_file(paths.ca, "in-cluster config: CA");
  config.token_file = std::make_shared<TokenFile>(paths.token, paths.token_refresh);
  config.token_file->token();
  std::ifstream ns_in(paths.namespace_file);
  if (ns_in) {
    std::ostringstream ns;
    ns << ns_in.rdbuf();
    if (auto n = trim(ns.str()); !n.empty()) config.default_namespace = n;
  }
  return config;
}

}  // namespace droid::kube
