// The credential the gateway adds to a request it forwards, and the rewriting of
// the request's headers: whatever credential the runner sent is removed (it holds
// a placeholder at most), hop-by-hop headers are removed, the real one is added.
//
//   bearer     Authorization: Bearer VALUE
//   x-api-key  x-api-key: VALUE
//   basic      Authorization: Basic base64(VALUE), VALUE being "user:password"
//   none       nothing is added (the runner's credentials are still removed)
#pragma once

#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "contract/egress_destination.h"

namespace droid::egress {

// The types and their names are the grant's (libdroid/contract/egress_destination.h).
using contract::CredentialType;
using contract::parse_credential_type;
using contract::to_string;

struct Credential {
  CredentialType type = CredentialType::None;
  std::string value;  // a secret: never logged
};

// True for the headers that carry credentials towards a server or the proxy
// (Authorization, Proxy-Authorization, x-api-key, api-key, Cookie).
bool is_credential_header(std::string_view name);

// Removes credential and hop-by-hop headers (Connection and the headers it names,
// Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade, Transfer-Encoding) and adds
// `credential`. Content-Length stays; the caller sets framing for the body it sends.
void rewrite_request_headers(boost::beast::http::fields& fields, const Credential& credential);

// Removes hop-by-hop headers from a response before it goes back to the runner.
void remove_hop_by_hop(boost::beast::http::fields& fields);

std::string base64(std::string_view data);

}  // namespace droid::egress
