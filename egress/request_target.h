// What a proxy request names, parsed strictly:
//   absolute-form  "http://host[:port]/path[?query]"  (a forward-proxy request)
//   authority      "host:port"                          (CONNECT)
// and the session token in Proxy-Authorization ("Basic base64(user:TOKEN)", the
// form HTTP clients send for http://user:TOKEN@gateway:3128 proxy URLs, or
// "Bearer TOKEN"). Errors say what was wrong, never echo the token.
#pragma once

#include <string>
#include <string_view>

#include "destination.h"

namespace droid::egress {

// Fills host (lower case), port, path, query. `method` is copied upper case.
// False with `error` set for anything else: origin-form, https:// (the gateway
// originates TLS itself: the runner asks for http://), user info, bad ports, IPv6.
bool parse_absolute_target(std::string_view method, std::string_view target, RequestTarget& out, std::string& error);

// "host:port" of CONNECT; false with `error` otherwise.
bool parse_authority(std::string_view authority, std::string& host, int& port, std::string& error);

// The token of a Proxy-Authorization value, or "" when there is none.
std::string session_token(std::string_view proxy_authorization);

}  // namespace droid::egress
