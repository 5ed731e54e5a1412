// Where the API server is and how to authenticate to it. load_kubeconfig reads a
// kubeconfig file (the current context or a named one): server, CA (file or
// -data), client certificate and key (file or -data), bearer token (token or
// tokenFile). load_in_cluster reads the pod's service account: the
// KUBERNETES_SERVICE_HOST/PORT variables and the token, ca.crt and namespace
// files (paths injectable for tests). A token that comes from a file is re-read
// when older than its refresh interval, so rotated service-account tokens are
// picked up. Every error is a ConfigError naming the file and the field.
// load_kubeconfig_files merges several kubeconfig files as kubectl merges
// KUBECONFIG=a:b: the first file that sets current-context or defines a named
// cluster, user or context wins; files that do not exist are skipped; relative
// paths are relative to the file that names them.
// Not supported: exec and auth-provider credential plugins, proxies.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace droid::kube {

// A bearer token kept in a file, re-read at most once per `refresh`.
class TokenFile {
 public:
  explicit TokenFile(std::string path, std::chrono::milliseconds refresh = std::chrono::seconds(60));
  // The file's content without surrounding whitespace. Throws ConfigError when
  // the file cannot be read and no earlier read succeeded.
  std::string token();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::chrono::milliseconds refresh_;
  std::mutex mu_;
  std::string token_;
  std::chrono::steady_clock::time_point read_at_{};
  bool have_token_ = false;
};

struct Config {
  std::string server;                     // "https://host:port", no trailing slash
  std::string ca_pem;                     // CA bundle (PEM); empty: the system's roots
  std::string client_cert_pem;            // client certificate chain (PEM), or empty
  std::string client_key_pem;             // its private key (PEM), or empty
  std::string token;                      // static bearer token, or empty
  std::shared_ptr<TokenFile> token_file;  // bearer token re-read from a file, or null
  bool insecure_skip_tls_verify = false;  // only when the caller allowed it explicitly
  std::string default_namespace = "default";
  std::string context;  // the kubeconfig context used ("" in cluster)
  std::string user;     // the kubeconfig user entry's name ("" when none or in cluster)

  // The bearer token to send ("" when none): token_file's current content, else token.
  std::string bearer_token() const;
};

struct KubeconfigOptions {
  std::string context;          // empty: the file's current-context
  bool allow_insecure = false;  // accept insecure-skip-tls-verify: true (refused otherwise)
};

Config load_kubeconfig(const std::string& path, const KubeconfigOptions& options = {});
// Several files merged, the first one winning (see above). Throws ConfigError
// when none of them exists.
Config load_kubeconfig_files(const std::vector<std::string>& paths, const KubeconfigOptions& options = {});
// The paths of a KUBECONFIG value ("a:b:c"), empty entries and duplicates dropped.
std::vector<std::string> split_kubeconfig_paths(const std::string& value);

struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  std::chrono::milliseconds token_refresh = std::chrono::seconds(60);
};

// Reads KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT from the environment.
Config load_in_cluster(const InClusterPaths& paths = {});

// Decodes standard base64 (whitespace ignored); throws std::invalid_argument.
std::string base64_decode(const std::string& text);

}  // namespace droid::kube
