#include "resources/egress_route.h"

#include <algorithm>
#include <cctype>

namespace droid::op {

std::optional<UrlParts> parse_http_url(const std::string& url) {
  const std::size_t sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  UrlParts out;
  out.scheme = url.substr(0, sep);
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  const std::size_t start = sep + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  std::string authority = url.substr(start, end - start);
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  out.path = url.substr(end);
  out.port = out.scheme == "https" ? 443 : 80;
  // [v6]:port, host:port or host.
  std::size_t colon = std::string::npos;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
  }
  if (colon != std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
      return std::nullopt;
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535) return std::nullopt;
    authority.resize(colon);
  }
  if (authority.empty()) return std::nullopt;
  out.host = authority;
  return out;
}

std::string through_gateway(const std::string& url) {
  const auto parts = parse_http_url(url);
  if (!parts) return url;
  return "http://" + parts->host + ":" + std::to_string(parts->port) + parts->path;
}

std::string proxy_url(const EgressRoute& route) {
  return std::string("http://") + kEgressProxyUser + ":" + route.token + "@" + route.proxy;
}

}  // namespace droid::op
