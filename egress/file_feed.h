// Feeds a SessionTable from a local file, for droid-egress without Kubernetes (a
// laptop, tests): `droid-egress --sessions-file FILE`, re-read on SIGHUP.
//
//   {"tokenKeyFile": "/etc/droid-egress/token-key",      (or "tokenKey": "...", >= 32 bytes)
//    "secretsDir": "/etc/droid-egress/secrets",          Secret S, key K = file secretsDir/S/K
//    "sessions": [{"podIP": "10.88.0.7", "grant": {...contract::EgressGrant...}}]}
//
// secretsDir is laid out as Kubernetes mounts Secret volumes (entries starting with
// ".." are skipped). The file is the whole truth: a grant it no longer lists is
// finished, a Secret directory that is gone is forgotten. The file is checked whole
// before anything changes; errors name the field ("sessions[1].grant: destinations[0]
// .hosts: ...") and leave the table as it was.
#pragma once

#include <set>
#include <stdexcept>
#include <string>

#include "session_table.h"

namespace droid::egress {

class FileFeedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file's content; FileFeedError naming the path when it cannot be read.
std::string read_file(const std::string& path);

class FileFeed {
 public:
  FileFeed(std::string path, std::shared_ptr<SessionTable> table);
  // Reads and applies the file; throws FileFeedError (nothing changed then).
  void load();

 private:
  std::string path_;
  std::shared_ptr<SessionTable> table_;
  std::set<std::string> grants_;
  std::set<std::string> secrets_;
  std::set<std::pair<std::string, std::string>> pods_;
};

}  // namespace droid::egress
