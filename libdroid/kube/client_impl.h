// Internal to libdroid/kube: the cpprestsdk side of Client, shared by client.cc
// and watch.cc. Not installed, not included by users of the client.
#pragma once

#include <string>

#include <cpprest/http_client.h>

#include "kube/client.h"
#include "kube/config.h"

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
};

}  // namespace droid::kube
