// Errors of the Kubernetes client. ConfigError: a kubeconfig or in-cluster file
// that cannot be used (the message names the file and the field). ApiError: the
// API server answered with a failure; it carries the HTTP code and the Status
// object's reason and message ("NotFound", "Conflict", "Expired", ...).
// TransportError: no answer (connection refused, TLS failure, timeout, cancel).
#pragma once

#include <stdexcept>
#include <string>

namespace droid::kube {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int code, std::string reason, std::string message, std::string body);

  int code() const { return code_; }                     // HTTP status, or Status.code
  const std::string& reason() const { return reason_; }  // Status.reason, e.g. "AlreadyExists"
  const std::string& status_message() const { return message_; }
  const std::string& body() const { return body_; }  // the raw response body

  bool not_found() const { return code_ == 404; }
  bool conflict() const { return code_ == 409; }
  bool gone() const { return code_ == 410; }

 private:
  int code_;
  std::string reason_;
  std::string message_;
  std::string body_;
};

class TransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds an ApiError from an HTTP status and a response body that is usually a
// metav1.Status JSON document (falls back to the raw body otherwise).
ApiError api_error_from_response(int http_status, const std::string& body);

}  // namespace droid::kube
