#include "request_target.h"

#include <algorithm>
#include <cctype>

namespace droid::egress {
namespace {

bool parse_port(std::string_view s, int& port) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  port = std::stoi(std::string(s));
  return port > 0 && port < 65536;
}

bool valid_host(std::string_view host) {
  return !host.empty() && host.size() <= 253 &&
         std::all_of(host.begin(), host.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

bool base64_decode(std::string_view in, std::string& out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  unsigned bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = b64_value(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<unsigned>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return true;
}

bool iprefix(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

bool parse_authority(std::string_view authority, std::string& host, int& port, std::string& error) {
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos || !parse_port(authority.substr(colon + 1), port)) {
    error = "CONNECT target must be host:port";
    return false;
  }
  host = normalize_host(authority.substr(0, colon));
  if (!valid_host(host)) {
    error = "CONNECT target has an invalid host name";
    return false;
  }
  return true;
}

bool parse_absolute_target(std::string_view method, std::string_view target, RequestTarget& out, std::string& error) {
  out.method.assign(method);
  std::transform(out.method.begin(), out.method.end(), out.method.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (iprefix(target, "https://")) {
    error = "https:// targets are not proxied: ask for http:// and the gateway speaks TLS to the destination";
    return false;
  }
  if (!iprefix(target, "http://")) {
    error = "the gateway is a forward proxy: the request target must be an absolute http:// URL";
    return false;
  }
  target.remove_prefix(7);
  const auto slash = target.find('/');
  const std::string_view authority = target.substr(0, slash);
  const std::string_view rest = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    error = "the request target must not carry user information";
    return false;
  }
  const auto colon = authority.rfind(':');
  out.port = 80;
  if (colon != std::string_view::npos && !parse_port(authority.substr(colon + 1), out.port)) {
    error = "the request target has an invalid port";
    return false;
  }
  out.host = normalize_host(authority.substr(0, colon));
  if (!valid_host(out.host)) {
    error = "the request target has an invalid host name";
    return false;
  }
  const auto q = rest.find('?');
  out.path.assign(rest.substr(0, q));
  out.query.assign(q == std::string_view::npos ? std::string_view() : rest.substr(q + 1));
  if (out.path.find('#') != std::string::npos || out.query.find('#') != std::string::npos) {
    error = "the request target must not carry a fragment";
    return false;
  }
  return true;
}

std::string session_token(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (iprefix(value, "bearer ")) return std::string(value.substr(7));
  if (!iprefix(value, "basic ")) return "";
  std::string decoded;
  if (!base64_decode(value.substr(6), decoded)) return "";
  const auto colon = decoded.find(':');
  return colon == std::string::npos ? "" : decoded.substr(colon + 1);
}

}  // namespace droid::egress
