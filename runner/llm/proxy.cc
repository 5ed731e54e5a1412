#include "llm/proxy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <arpa/inet.h>

namespace droid::llm {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::string env(const char* lower_name, const char* upper_name) {
  const char* v = std::getenv(lower_name);                      // NOLINT(concurrency-mt-unsafe): read once at setup
  if (v == nullptr || *v == '\0') v = std::getenv(upper_name);  // NOLINT(concurrency-mt-unsafe)
  return v == nullptr ? "" : v;
}

std::string strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}

// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into ::ffff:0:0/96), with its family.
struct Address {
  unsigned char bytes[16] = {};
  bool v4 = false;
};

bool parse_address(const std::string& text, Address& out) {
  in_addr a4{};
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    out.v4 = true;
    out.bytes[10] = out.bytes[11] = 0xff;
    std::memcpy(out.bytes + 12, &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
    std::memcpy(out.bytes, &a6, 16);
    return true;
  }
  return false;
}

bool in_cidr(const Address& ip, const std::string& cidr) {
  const auto slash = cidr.find('/');
  Address net;
  if (!parse_address(cidr.substr(0, slash), net) || net.v4 != ip.v4) return false;
  int bits = 0;
  const std::string len = cidr.substr(slash + 1);
  if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), ::isdigit)) return false;
  bits = std::stoi(len);
  if (bits > (net.v4 ? 32 : 128)) return false;
  if (net.v4) bits += 96;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffU : (0xffU << (8 - bits)) & 0xffU;
    if ((ip.bytes[i] & mask) != (net.bytes[i] & mask)) return false;
  }
  return true;
}

}  // namespace

ProxyEnvironment ProxyEnvironment::from_process_environment() {
  return {env("https_proxy", "HTTPS_PROXY"), env("http_proxy", "HTTP_PROXY"), env("no_proxy", "NO_PROXY")};
}

bool no_proxy_matches(const std::string& no_proxy, const std::string& host_in, int port) {
  const std::string host = lower(strip_brackets(host_in));
  Address ip;
  const bool host_is_ip = parse_address(host, ip);
  std::string_view rest = no_proxy;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string entry = lower(trim(rest.substr(0, comma)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (entry.find('/') != std::string::npos) {  // CIDR
      if (host_is_ip && in_cidr(ip, entry)) return true;
      continue;
    }
    // An optional :port, but not the colons of a bare IPv6 address.
    int entry_port = 0;
    Address entry_ip;
    if (!parse_address(strip_brackets(entry), entry_ip)) {
      const auto colon = entry.rfind(':');
      if (colon != std::string::npos && colon + 1 < entry.size() &&
          std::all_of(entry.begin() + static_cast<std::ptrdiff_t>(colon) + 1, entry.end(), ::isdigit)) {
        entry_port = std::stoi(entry.substr(colon + 1));
        entry = entry.substr(0, colon);
      }
    }
    if (entry_port != 0 && entry_port != port) continue;
    entry = strip_brackets(entry);
    if (host_is_ip) {
      Address e;
      if (parse_address(entry, e) && std::memcmp(e.bytes, ip.bytes, 16) == 0) return true;
      continue;
    }
    if (entry.starts_with("*.")) entry.erase(0, 1);
    if (entry.starts_with(".")) entry.erase(0, 1);
    if (host == entry ||
        (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

std::string proxy_for(const std::string& scheme, const std::string& host, int port, const ProxyEnvironment& env) {
  const std::string& proxy = lower(scheme) == "https" ? env.https_proxy : env.http_proxy;
  if (proxy.empty() || no_proxy_matches(env.no_proxy, host, port)) return "";
  return proxy;
}

std::vector<std::string> proxy_secrets(const ProxyEnvironment& env) {
  std::vector<std::string> out;
  for (const std::string* url : {&env.https_proxy, &env.http_proxy}) {
    const std::size_t start = url->find("://") == std::string::npos ? 0 : url->find("://") + 3;
    const std::size_t end = std::min(url->find('/', start), url->size());
    const std::size_t at = url->rfind('@', end);
    if (at == std::string::npos || at < start) continue;
    const std::string userinfo = url->substr(start, at - start);
    const std::size_t colon = userinfo.find(':');
    std::string secret = colon == std::string::npos ? userinfo : userinfo.substr(colon + 1);
    // Percent-decoding: the value sent in Proxy-Authorization is the decoded one.
    std::string decoded;
    for (std::size_t i = 0; i < secret.size(); ++i) {
      if (secret[i] == '%' && i + 2 < secret.size() && std::isxdigit(static_cast<unsigned char>(secret[i + 1])) != 0 &&
          std::isxdigit(static_cast<unsigned char>(secret[i + 2])) != 0) {
        decoded += static_cast<char>(std::stoi(secret.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        decoded += secret[i];
      }
    }
    if (!decoded.empty() && std::find(out.begin(), out.end(), decoded) == out.end()) out.push_back(decoded);
  }
  return out;
}

}  // namespace droid::llm
