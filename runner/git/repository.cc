#include "git/repository.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "process/subprocess.h"

namespace droid::runner::git {

namespace fs = std::filesystem;

namespace {

std::string read_trimmed(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  std::string v = s.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r' || v.back() == ' ')) v.pop_back();
  return v;
}

// https://user:secret@host/... carries a credential; the runner refuses it.
bool url_has_credentials(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  const auto authority_end = url.find('/', scheme + 3);
  const std::string authority = url.substr(scheme + 3, authority_end - (scheme + 3));
  const auto at = authority.find('@');
  return at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
}

// Settings that make git run programs. The agent could have written any of them
// into the workspace's .git/config; the runner's own git calls override them.
const std::vector<std::string> kNeutral = {
    "core.hooksPath=/dev/null", "core.fsmonitor=false", "core.pager=cat",       "core.editor=true",
    "diff.external=",           "core.askPass=",        "core.sshCommand=",     "protocol.ext.allow=never",
    "sequence.editor=true",     "gpg.program=false",    "commit.gpgSign=false",
};

}  // namespace

Repository::Repository(std::string workspace, std::string credentials_dir, std::string private_dir)
    : workspace_(std::move(workspace)),
      credentials_dir_(std::move(credentials_dir)),
      private_dir_(std::move(private_dir)) {
  if (credentials_dir_.find('\'') != std::string::npos)
    throw GitError("repository credentials: the directory path may not contain a quote");
  if (!credentials_dir_.empty())
    for (const char* name : {"password", "token", "ssh-privatekey"})
      if (std::string v = read_trimmed(fs::path(credentials_dir_) / name); !v.empty()) secrets_.push_back(v);
  std::error_code ec;
  fs::create_directories(private_dir_, ec);
  ::chmod(private_dir_.c_str(), 0700);
}

std::string Repository::scrub(std::string text) const {
  for (const auto& s : secrets_)
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p)) text.replace(p, s.size(), "[REDACTED]");
  return text;
}

std::string Repository::git(const std::vector<std::string>& args, bool network) const {
  process::Options o;
  o.timeout = timeout_;
  o.clear_env = true;
  o.env = {"HOME=" + private_dir_,  "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C", "GIT_TERMINAL_PROMPT=0",
           "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"};
  // A proxy and a CA for the git server pass through from the runner's environment.
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
                           "GIT_SSL_CAINFO", "SSL_CERT_FILE"})
    if (const char* v = std::getenv(name))  // NOLINT(concurrency-mt-unsafe): nothing sets the environment
      o.env.push_back(std::string(name) + "=" + v);
  std::vector<std::pair<std::string, std::string>> config;
  if (network && !credentials_dir_.empty()) {
    const std::string d = "'" + credentials_dir_ + "'";
    // An empty helper first drops any helper a repository config names.
    config.emplace_back("credential.helper", "");
    config.emplace_back("credential.helper", "!f() { test \"$1\" = get || exit 0; u=$(cat " + d +
                                                 "/username 2>/dev/null) || u=x-access-token; "
                                                 "p=$(cat " +
                                                 d + "/password 2>/dev/null || cat " + d +
                                                 "/token 2>/dev/null); "
                                                 "echo \"username=$u\"; echo \"password=$p\"; }; f");
    if (!ssh_key_copy_.empty()) {
      std::string ssh = "ssh -i '" + ssh_key_copy_ + "' -o IdentitiesOnly=yes -o BatchMode=yes";
      const fs::path known = fs::path(credentials_dir_) / "known_hosts";
      ssh += fs::exists(known) ? " -o StrictHostKeyChecking=yes -o UserKnownHostsFile='" + known.string() + "'"
                               : " -o StrictHostKeyChecking=yes";
      o.env.push_back("GIT_SSH_COMMAND=" + ssh);
    }
  }
  o.env.push_back("GIT_CONFIG_COUNT=" + std::to_string(config.size()));
  for (std::size_t i = 0; i < config.size(); ++i) {
    o.env.push_back("GIT_CONFIG_KEY_" + std::to_string(i) + "=" + config[i].first);
    o.env.push_back("GIT_CONFIG_VALUE_" + std::to_string(i) + "=" + config[i].second);
  }
  std::vector<std::string> argv = {"git"};
  for (const auto& kv : kNeutral) {
    argv.emplace_back("-c");
    argv.push_back(kv);
  }
  if (args.empty() || args[0] != "clone") {
    // The repository is named, not discovered: a .git the agent planted in a
    // parent or replaced is never searched for.
    argv.emplace_back("-C");
    argv.push_back(workspace_);
    argv.push_back("--git-dir=" + (fs::path(workspace_) / ".git").string());
    argv.push_back("--work-tree=" + workspace_);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  const process::Result r = process::run_with(argv, o);
  if (!r.ok()) {
    std::string what =
        "git " + args[0] + (r.timed_out ? " timed out" : " failed (exit " + std::to_string(r.exit_code) + ")");
    throw GitError(scrub(what + ": " + r.err));
  }
  return r.out;
}

void Repository::clone(const std::string& url, const std::string& ref) {
  if (url_has_credentials(url))
    throw GitError("repository.url: contains credentials; put them in the Secret named by credentialsSecretRef");
  if (url.rfind("ext::", 0) == 0 || url.rfind("fd::", 0) == 0 || (!url.empty() && url[0] == '-'))
    throw GitError("repository.url: \"" + url + "\" is not an http(s), git or ssh URL");
  std::error_code ec;
  if (fs::exists(workspace_, ec) && !fs::is_empty(workspace_, ec))
    throw GitError("the workspace " + workspace_ + " is not empty; the repository is cloned into an empty workspace");
  const fs::path key = credentials_dir_.empty() ? fs::path() : fs::path(credentials_dir_) / "ssh-privatekey";
  if (!key.empty() && fs::exists(key)) {
    // ssh refuses a key others can read; a Secret volume's mode is not ours to choose.
    ssh_key_copy_ = (fs::path(private_dir_) / "ssh-key").string();
    fs::copy_file(key, ssh_key_copy_, fs::copy_options::overwrite_existing);
    ::chmod(ssh_key_copy_.c_str(), 0600);
  }
  std::vector<std::string> args = {"clone", "--quiet", "--no-hardlinks"};
  if (!ref.empty()) {
    args.emplace_back("--branch");
    args.push_back(ref);
  }
  args.emplace_back("--");
  args.push_back(url);
  args.push_back(workspace_);
  git(args, /*network=*/true);
  base_ref_ = ref.empty() ? git({"rev-parse", "--abbrev-ref", "HEAD"}) : ref;
  while (!base_ref_.empty() && base_ref_.back() == '\n') base_ref_.pop_back();
  // The config as cloned: restored before the runner's own git calls at the end,
  // whatever the agent wrote into .git/config meanwhile.
  fs::copy_file(fs::path(workspace_) / ".git" / "config", fs::path(private_dir_) / "config.cloned",
                fs::copy_options::overwrite_existing);
}

void Repository::restore_config() const {
  const fs::path git_dir = fs::path(workspace_) / ".git";
  const fs::path saved = fs::path(private_dir_) / "config.cloned";
  if (!fs::exists(saved)) return;
  std::error_code ec;
  // The clone made .git a directory. A file ("gitdir: elsewhere") or a symlink
  // there would point git at a repository the agent prepared, config and all.
  if (fs::symlink_status(git_dir, ec).type() != fs::file_type::directory) {
    throw GitError(
        "the workspace's .git is no longer the directory the clone made (it was replaced by a file, a symlink or "
        "removed during the session); the runner does not commit or push from a repository it did not clone");
  }
  fs::remove(git_dir / "config", ec);  // a symlink planted there is replaced, not followed
  fs::copy_file(saved, git_dir / "config", fs::copy_options::overwrite_existing);
  fs::remove_all(git_dir / "hooks", ec);
  fs::remove(git_dir / "info" / "attributes", ec);
  // Files that make git read its config or refs from another directory, and the
  // per-worktree config: none exists in a fresh clone.
  for (const char* name : {"commondir", "config.worktree", "gitdir"}) fs::remove_all(git_dir / name, ec);
}

std::vector<std::string> Repository::changed_files() const {
  restore_config();
  const std::string out = git({"status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"});
  std::vector<std::string> files;
  for (std::size_t pos = 0; pos < out.size();) {
    const std::size_t end = out.find('\0', pos);
    const std::string entry = out.substr(pos, end - pos);
    if (entry.size() > 3) files.push_back(entry.substr(3));
    pos = end == std::string::npos ? out.size() : end + 1;
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Repository::diff() const {
  restore_config();
  git({"add", "--all", "--intent-to-add"});
  return git({"diff", "--no-color", "--no-ext-diff", "--no-textconv", "HEAD"});
}

std::string Repository::commit_all(const std::string& message, const std::string& author_name,
                                   const std::string& author_email) {
  restore_config();
  git({"add", "--all"});
  if (git({"status", "--porcelain"}).empty()) throw GitError("nothing to commit: the session changed no file");
  git({"-c", "user.name=" + author_name, "-c", "user.email=" + author_email, "commit", "--quiet", "--no-verify", "-m",
       message});
  std::string sha = git({"rev-parse", "HEAD"});
  while (!sha.empty() && sha.back() == '\n') sha.pop_back();
  return sha;
}

void Repository::push(const std::string& branch) {
  if (branch.empty() || branch[0] == '-' || branch.find("..") != std::string::npos)
    throw GitError("output.pushBranch: \"" + branch + "\" is not a branch name");
  if (branch == base_ref_)
    throw GitError("output.pushBranch: \"" + branch +
                   "\" is the branch the session started from; droids push to a branch of their own");
  restore_config();
  git({"push", "--quiet", "--no-verify", "origin", "HEAD:refs/heads/" + branch}, /*network=*/true);
}

void Repository::forget_credentials() {
  if (ssh_key_copy_.empty()) return;
  std::error_code ec;
  fs::remove(ssh_key_copy_, ec);
  ssh_key_copy_.clear();
}

}  // namespace droid::runner::git
