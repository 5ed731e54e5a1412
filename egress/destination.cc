#include "destination.h"

#include <algorithm>

namespace droid::egress {
namespace {

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
