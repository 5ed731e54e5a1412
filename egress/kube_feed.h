// Feeds a SessionTable from Kubernetes (issue 15's contract): three reflectors
// (libdroid/kube) on
//   ConfigMaps labelled app.kubernetes.io/component=egress-grant in the gateway's
//     namespace (the operator's grants; data grant.json),
//   Secrets in the gateway's namespace (the token key Secret droid-egress-token-key
//     with `key` and optional `previous`, and the Secrets grants name),
//   Pods in every namespace labelled droid.dev/session (status.podIP; a pod that has
//     finished (phase Succeeded/Failed) has no address: its IP may be given to
//     another pod).
// Objects are trimmed before they are cached (only the fields used are kept).
// ready() once the three have listed and the token key was read; why_not_ready()
// says what is missing.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kube/api.h"
#include "kube/reflector.h"
#include "session_table.h"

namespace droid::egress {

struct KubeFeedOptions {
  std::string namespace_name;  // the gateway's (= the operator's) namespace
  // Logs what the feed noticed (a grant that does not parse, a bad key): message, detail.
  std::function<void(const std::string&, const std::string&)> on_problem;
};

class KubeFeed {
 public:
  KubeFeed(kube::Api& api, std::shared_ptr<SessionTable> table, KubeFeedOptions options);
  ~KubeFeed();  // stops
  KubeFeed(const KubeFeed&) = delete;
  KubeFeed& operator=(const KubeFeed&) = delete;

  void start();
  void stop();
  bool ready() const;
  std::string why_not_ready() const;  // "" when ready
  bool wait_until_ready(std::chrono::milliseconds timeout) const;

 private:
  void on_grant(const nlohmann::json& object);
  void on_secret(const nlohmann::json& object);
  void on_secret_gone(const nlohmann::json& object);
  void on_pod(const nlohmann::json& object);
  void problem(const std::string& message, const std::string& detail) const;

  std::shared_ptr<SessionTable> table_;
  KubeFeedOptions options_;
  std::unique_ptr<kube::Reflector> grants_;
  std::unique_ptr<kube::Reflector> secrets_;
  std::unique_ptr<kube::Reflector> pods_;
};

}  // namespace droid::egress
