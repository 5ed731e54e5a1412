// Internal to libdroid/kube: the cpprestsdk side of Client and CancelToken, shared
// by client.cc, watch.cc and stream.cc. Not installed, not included by users of the client.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include <cpprest/http_client.h>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/rate_limiter.h"
#include "kube/watch.h"

namespace droid::kube {

struct Client::Impl {
  Impl(Config c, ClientOptions o);

  // An http_client for this server; `read_timeout` is cpprestsdk's per-read timeout.
  web::http::client::http_client make_http_client(std::chrono::seconds read_timeout) const;
  // A request with the Accept and Authorization headers set.
  web::http::http_request make_request(const std::string& method, const std::string& path_and_query) const;

  Config config;
  ClientOptions options;
  web::http::client::http_client http;
  RateLimiter limiter;
};

// Shared by watch.cc and stream.cc: cancelling closes the requests made with `source`.
struct CancelToken::Impl {
  pplx::cancellation_token_source source;
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  bool cancelled = false;
};

}  // namespace droid::kube
