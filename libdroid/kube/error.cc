#include "kube/error.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace droid::kube {

ApiError::ApiError(int code, std::string reason, std::string message, std::string body)
    : std::runtime_error("kubernetes API error " + std::to_string(code) + (reason.empty() ? "" : " " + reason) + ": " +
                         message),
      code_(code),
      reason_(std::move(reason)),
      message_(std::move(message)),
      body_(std::move(body)) {}

ApiError api_error_from_response(int http_status, const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object() && doc.value("kind", "") == "Status") {
    int code = http_status;
    if (auto it = doc.find("code"); it != doc.end() && it->is_number_integer()) code = it->get<int>();
    return ApiError(code, doc.value("reason", ""), doc.value("message", ""), body);
  }
  std::string message = body.size() > 512 ? body.substr(0, 512) + "..." : body;
  return ApiError(http_status, "", message, body);
}

}  // namespace droid::kube
