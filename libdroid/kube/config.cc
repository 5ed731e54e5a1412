#include "kube/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/error.h"
#include "text/base64.h"

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
  auto bytes = text::base64_decode(text, text::Base64::Strict);
  if (!bytes) throw std::invalid_argument("invalid base64 (the standard alphabet, '=' padding only at the end)");
  return *bytes;
}

namespace {

// One kubeconfig file, parsed.
struct KubeconfigFile {
  std::string path;
  std::filesystem::path dir;
  YAML::Node root;
};

KubeconfigFile parse_kubeconfig(const std::string& path) {
  KubeconfigFile file{path, std::filesystem::path(path).parent_path(), {}};
  try {
    file.root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot read the kubeconfig");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": invalid YAML: " + e.what());
  }
  if (file.root.IsNull()) file.root = YAML::Node(YAML::NodeType::Map);  // an empty file merges as nothing
  if (!file.root.IsMap()) throw ConfigError(path + ": not a kubeconfig (expected a mapping)");
  return file;
}

// The files' names for messages about the merged configuration: "a" or "a:b".
std::string joined_paths(const std::vector<KubeconfigFile>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : ":") + f.path;
  return out;
}

// A named entry of one of the lists (clusters, users, contexts): the first file
// that defines the name wins, as kubectl merges KUBECONFIG.
std::pair<YAML::Node, const KubeconfigFile*> find_merged(const std::vector<KubeconfigFile>& files,
                                                         const std::string& list, const std::string& name) {
  for (const auto& f : files) {
    const YAML::Node items = f.root[list];
    if (items && !items.IsSequence()) throw ConfigError(f.path + ": " + list + " is not a list");
    if (!items) continue;
    for (const auto& item : items)
      if (item["name"] && item["name"].as<std::string>() == name) return {item, &f};
  }
  throw ConfigError(joined_paths(files) + ": " + list + ": no entry named \"" + name + "\"");
}

Config resolve_kubeconfig(const std::vector<KubeconfigFile>& files, const KubeconfigOptions& options) {
  const std::string all = joined_paths(files);
  std::string context_name = options.context;
  for (const auto& f : files) {
    if (!context_name.empty()) break;
    context_name = scalar(f.root, "current-context", f.path);
  }
  if (context_name.empty()) throw ConfigError(all + ": current-context is not set and no context was given");
  const auto [context_entry, context_file] = find_merged(files, "contexts", context_name);
  const YAML::Node context = context_entry["context"];
  const std::string cwhere = context_file->path + ": contexts[" + context_name + "].context";
  if (!context || !context.IsMap()) throw ConfigError(cwhere + " is missing");
  const std::string cluster_name = scalar(context, "cluster", cwhere);
  if (cluster_name.empty()) throw ConfigError(cwhere + ".cluster is missing");
  const std::string user_name = scalar(context, "user", cwhere);

  Config config;
  config.context = context_name;
  config.user = user_name;
  const std::string ns = scalar(context, "namespace", cwhere);
  if (!ns.empty()) config.default_namespace = ns;

  const auto [cluster_entry, cluster_file] = find_merged(files, "clusters", cluster_name);
  const YAML::Node cluster = cluster_entry["cluster"];
  const std::string where = cluster_file->path + ": clusters[" + cluster_name + "].cluster";
  if (!cluster || !cluster.IsMap()) throw ConfigError(where + " is missing");
  config.server = scalar(cluster, "server", where);
  if (config.server.empty()) throw ConfigError(where + ".server is missing");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  if (config.server.rfind("https://", 0) != 0 && config.server.rfind("http://", 0) != 0) {
    throw ConfigError(where + ".server: \"" + config.server + "\" is not an http(s) URL");
  }
  config.ca_pem = data_or_file(cluster, "certificate-authority", where, cluster_file->dir);
  const YAML::Node insecure = cluster["insecure-skip-tls-verify"];
  if (insecure && insecure.as<bool>(false)) {
    if (!options.allow_insecure) {
      throw ConfigError(where + ".insecure-skip-tls-verify: refused (the caller did not allow insecure TLS)");
    }
    config.insecure_skip_tls_verify = true;
  }

  if (!user_name.empty()) {
    const auto [user_entry, user_file] = find_merged(files, "users", user_name);
    const YAML::Node user = user_entry["user"];
    const std::string uwhere = user_file->path + ": users[" + user_name + "].user";
    if (user && user.IsMap()) {
      config.client_cert_pem = data_or_file(user, "client-certificate", uwhere, user_file->dir);
      config.client_key_pem = data_or_file(user, "client-key", uwhere, user_file->dir);
      if (config.client_cert_pem.empty() != config.client_key_pem.empty()) {
        throw ConfigError(uwhere + ": client-certificate and client-key must be given together");
      }
      config.token = scalar(user, "token", uwhere);
      std::string token_file = scalar(user, "tokenFile", uwhere);
      if (!token_file.empty() && config.token.empty()) {
        std::filesystem::path p(token_file);
        if (p.is_relative()) p = user_file->dir / p;
        config.token_file = std::make_shared<TokenFile>(p.string());
        config.token_file->token();  // fail now, naming the file, rather than at the first request
      }
      if (user["exec"] || user["auth-provider"]) {
        throw ConfigError(uwhere + ": exec and auth-provider credential plugins are not supported");
      }
    }
  }
  return config;
}

}  // namespace

Config load_kubeconfig(const std::string& path, const KubeconfigOptions& options) {
  std::vector<KubeconfigFile> files{parse_kubeconfig(path)};
  try {
    return resolve_kubeconfig(files, options);
  } catch (const YAML::Exception& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

Config load_kubeconfig_files(const std::vector<std::string>& paths, const KubeconfigOptions& options) {
  std::vector<KubeconfigFile> files;
  std::string listed;
  for (const auto& p : paths) {
    if (p.empty()) continue;
    listed += (listed.empty() ? "" : ", ") + p;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) continue;  // kubectl skips the files of KUBECONFIG that do not exist
    files.push_back(parse_kubeconfig(p));
  }
  if (files.empty()) throw ConfigError("no kubeconfig: none of these files exists: " + listed);
  try {
    return resolve_kubeconfig(files, options);
  } catch (const YAML::Exception& e) {
    throw ConfigError(joined_paths(files) + ": " + e.what());
  }
}

std::vector<std::string> split_kubeconfig_paths(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto colon = value.find(':', start);
    std::string part = value.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end()) out.push_back(std::move(part));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
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
