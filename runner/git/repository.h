// The session's repository (SPEC §6.1, §6.9): cloned into the workspace at the
// start, inspected and, when the session may, committed and pushed at the end.
//
// Credentials live in a mounted directory (the DroidSession's
// repository.credentialsSecretRef): `username` and `password` or `token` for
// HTTP(S); `ssh-privatekey` and `known_hosts` for SSH. They reach git through a
// credential helper (HTTP) or GIT_SSH_COMMAND (SSH) set on the git processes the
// runner starts itself: never on a command line, in the workspace's git config,
// in a remote URL, or in the environment of the agent's tools (the tool sandbox
// cannot read the directory). Every git error is scrubbed of the credentials.
// After the agent has run, the runner's own git calls use the .git/config saved
// at clone time and no hooks, name the repository (no discovery), and refuse a
// .git the agent replaced by a file or symlink: nothing the agent planted in
// .git runs outside the sandbox.
//
//   Repository repo(workspace, credentials_dir, private_dir);
//   repo.clone("git://git.corp/app.git", "main");
//   auto files = repo.changed_files();
//   std::string sha = repo.commit_all("droid: fix the test", "droid", "droid@droid.dev");
//   repo.push("droid/fix-test");
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace droid::runner::git {

class GitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Repository {
 public:
  // `credentials_dir` may be empty (anonymous). `private_dir` is the runner's
  // own scratch directory (outside the workspace, unreadable to tools): git's
  // HOME and a private copy of an SSH key live there.
  Repository(std::string workspace, std::string credentials_dir, std::string private_dir);

  // Clones `url` at `ref` (a branch or tag; empty: the remote's default) into
  // the workspace, which must be empty. Shallow history is not used: the agent
  // may need `git log`.
  void clone(const std::string& url, const std::string& ref);

  // Paths changed since the clone (modified, added, deleted, untracked), sorted.
  std::vector<std::string> changed_files() const;

  // The whole change as a unified diff (untracked files included), for the
  // shield before anything is committed.
  std::string diff() const;

  // Stages everything and commits; returns the commit's sha. GitError when
  // there is nothing to commit.
  std::string commit_all(const std::string& message, const std::string& author_name, const std::string& author_email);

  // Pushes HEAD to refs/heads/<branch> on origin (never forced).
  void push(const std::string& branch);

  // The branch or tag the clone checked out ("" before clone).
  const std::string& base_ref() const { return base_ref_; }

  // Removes the credentials in every form it holds them (the SSH key copy).
  void forget_credentials();

 private:
  std::string git(const std::vector<std::string>& args, bool network = false) const;
  std::string scrub(std::string text) const;
  // Puts back .git/config as cloned and drops hooks and info/attributes: what
  // the agent wrote there must not run when the runner calls git.
  void restore_config() const;

  std::string workspace_;
  std::string credentials_dir_;
  std::string private_dir_;
  std::string base_ref_;
  std::vector<std::string> secrets_;  // credential values, scrubbed from errors
  std::string ssh_key_copy_;
  std::chrono::seconds timeout_{600};
};

}  // namespace droid::runner::git
