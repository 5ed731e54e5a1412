// Errors of the LLM client. Every message is scrubbed of the gateway's API key
// before it is built into an exception (see Secret and scrub()), including text
// the gateway echoed back.
//   ConfigError:    unusable configuration (missing key file, bad PEM, bad URL).
//   ApiError:       the gateway answered with a failure status, or a streamed error
//                   event; carries the status, the gateway's error type and message,
//                   and whether it was retryable.
//   TransportError: no usable answer (connection refused, TLS handshake failure,
//                   connection reset, idle timeout).
//   TimeoutError:   the per-request timeout or the overall deadline passed.
//   ProtocolError:  the gateway answered 2xx with something that is not the API.
#pragma once

#include <stdexcept>
#include <string>

namespace droid::llm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int attempts = 1) : std::runtime_error(message), attempts_(attempts) {}
  int attempts() const { return attempts_; }  // HTTP attempts made before giving up
  void set_attempts(int n) { attempts_ = n; }

 private:
  int attempts_;
};

class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message, 0) {}
};

class ApiError : public Error {
 public:
  ApiError(int status, std::string type, std::string gateway_message, const std::string& what, int attempts = 1)
      : Error(what, attempts), status_(status), type_(std::move(type)), gateway_message_(std::move(gateway_message)) {}
  int status() const { return status_; }             // HTTP status; 0 for an error event in a 200 stream
  const std::string& type() const { return type_; }  // e.g. "rate_limit_error", "invalid_request_error"
  const std::string& gateway_message() const { return gateway_message_; }
  // The error's "code" as the gateway sent it (a stream error event's "500",
  // "context_length_exceeded"...); empty when it sent none.
  const std::string& code() const { return code_; }
  void set_code(std::string code) { code_ = std::move(code); }

 private:
  int status_;
  std::string type_;
  std::string gateway_message_;
  std::string code_;
};

class TransportError : public Error {
 public:
  using Error::Error;
};

class TimeoutError : public Error {
 public:
  using Error::Error;
};

class ProtocolError : public Error {
 public:
  using Error::Error;
};

// Replaces every occurrence of `secret` in `text` by "[REDACTED]" (no-op for an
// empty secret or one shorter than 4 characters, which would mangle ordinary text).
std::string scrub(std::string text, const std::string& secret);

}  // namespace droid::llm
