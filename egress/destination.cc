#include "destination.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace droid::egress {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool valid_label_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

bool contains_port(const std::vector<int>& ports, int port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The git smart-HTTP service a path and query ask of `repo`, if any.
std::optional<GitService> git_service(const std::string& repo, const RequestTarget& t) {
  if (!t.path.starts_with(repo)) return std::nullopt;
  const std::string_view rest = std::string_view(t.path).substr(repo.size());
  if (rest == "/info/refs" && t.method == "GET") {
    if (t.query == "service=git-upload-pack") return GitService::UploadPack;
    if (t.query == "service=git-receive-pack") return GitService::UploadPack;  // advertisement only: a read
    return std::nullopt;                                                       // the dumb protocol
  }
  if (t.method != "POST" || !t.query.empty()) return std::nullopt;
  if (rest == "/git-upload-pack") return GitService::UploadPack;
  if (rest == "/git-receive-pack") return GitService::ReceivePack;
  return std::nullopt;
}

}  // namespace

std::string normalize_host(std::string_view host) {
  std::string h = lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

HostPattern::HostPattern(std::string_view text) : text_(normalize_host(text)) {
  if (text_.empty()) throw std::invalid_argument("host pattern is empty");
  if (text_.starts_with("*.")) {
    wildcard_ = true;
    suffix_ = text_.substr(1);
    if (suffix_.size() < 2 || suffix_.find('*') != std::string::npos || !valid_label_chars(suffix_.substr(1)))
      throw std::invalid_argument("host pattern \"" + std::string(text) +
                                  "\": a wildcard is \"*.\" followed by a domain (\"*.git.corp\")");
    return;
  }
  if (!valid_label_chars(text_))
    throw std::invalid_argument("host pattern \"" + std::string(text) +
                                "\": a host name of letters, digits, '-' and '.', or \"*.domain\"");
}

bool HostPattern::matches(std::string_view host) const {
  const std::string h = normalize_host(host);
  if (!wildcard_) return h == text_;
  return h.size() > suffix_.size() && h.ends_with(suffix_);
}

bool is_plain_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find("//") != std::string_view::npos || path.find('\\') != std::string_view::npos) return false;
  const std::string l = lower(path);
  if (l.find("%2e") != std::string::npos || l.find("%2f") != std::string::npos || l.find("%5c") != std::string::npos)
    return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(start, end - start);
    if (seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return std::none_of(path.begin(), path.end(), [](unsigned char c) { return c < 0x21 || c == 0x7f; });
}

std::optional<Match> match_request(const std::vector<const Destination*>& allowed, const RequestTarget& target,
                                   std::string& why) {
  why = "host " + target.host + " is not a destination of this session";
  if (!is_plain_path(target.path)) {
    why = "path is not a plain absolute path (\"..\", \"//\", encoded '/' or '.', control characters)";
    return std::nullopt;
  }
  for (const Destination* d : allowed) {
    if (d->tunnel) continue;  // CONNECT only
    if (std::none_of(d->hosts.begin(), d->hosts.end(), [&](const HostPattern& p) { return p.matches(target.host); }))
      continue;
    const bool port_ok = d->ports.empty() ? target.port == 80 : contains_port(d->ports, target.port);
    if (!port_ok) {
      why = "port " + std::to_string(target.port) + " is not allowed for destination " + d->name;
      continue;
    }
    if (d->is_git()) {
      for (const auto& repo : d->git_repositories) {
        if (auto service = git_service(repo, target)) return Match{d, *service};
      }
      why = target.method + " " + target.path + " is not a git smart-HTTP endpoint of destination " + d->name +
            "'s repositories";
      continue;
    }
    if (!d->methods.empty() && !contains(d->methods, target.method)) {
      why = "method " + target.method + " is not allowed for destination " + d->name;
      continue;
    }
    if (!d->path_prefixes.empty() && std::none_of(d->path_prefixes.begin(), d->path_prefixes.end(),
                                                  [&](const auto& p) { return target.path.starts_with(p); })) {
      why = "path " + target.path + " is not under an allowed prefix of destination " + d->name;
      continue;
    }
    return Match{d, GitService::None};
  }
  return std::nullopt;
}

const Destination* match_tunnel(const std::vector<const Destination*>& allowed, std::string_view host, int port) {
  for (const Destination* d : allowed) {
    if (!d->tunnel) continue;
    if (std::none_of(d->hosts.begin(), d->hosts.end(), [&](const HostPattern& p) { return p.matches(host); })) continue;
    if (d->ports.empty() ? port == 443 : contains_port(d->ports, port)) return d;
  }
  return nullptr;
}

}  // namespace droid::egress
