// The container images of scripts/images/build.sh, checked from the archives it
// exports (build/images/<name>.tar, the files the node imports with ctr): each archive
// is unpacked into a root filesystem and its programs run there with chroot and an
// empty environment (plus the image's own Env), as the image's user, so a missing
// library, a shell where there should be none or a write outside /workspace and /tmp
// shows up here. Also: ctr imports an archive with its tag (a private containerd), and
// the air-gap bundle verifies.
//
// Label `images` (not in scripts/test.sh's tiers): needs root, `make images` first.
// DROID_IMAGES_DIR overrides where the archives are.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process/subprocess.h"

namespace {

namespace fs = std::filesystem;
using droid::process::Result;
using nlohmann::json;

const std::string kVersion = DROID_VERSION;

fs::path images_dir() {
  const char* dir = std::getenv("DROID_IMAGES_DIR");  // NOLINT(concurrency-mt-unsafe): read before any thread
  return dir != nullptr ? fs::path(dir) : fs::path(DROID_SOURCE_DIR) / "build" / "images";
}

Result run(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(120)) {
  return droid::process::run(argv, {}, timeout);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path temp_dir(const std::string& name) {
  std::string tmpl = fs::temp_directory_path().string() + "/" + name + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// One image archive unpacked: its config and its root filesystem (layers applied in
// order, whiteouts honoured).
class Image {
 public:
  explicit Image(const std::string& name) : name_(name) {
    archive_ = images_dir() / (name + ".tar");
    if (!fs::exists(archive_)) throw std::runtime_error(archive_.string() + " is missing: run `make images` first");
    std::string tmpl = fs::temp_directory_path().string() + "/droid-image-" + name + "-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    fs::create_directories(dir_ / "archive");
    fs::create_directories(rootfs());
    check(run({"tar", "-C", (dir_ / "archive").string(), "-xf", archive_.string()}));
    const json manifest = json::parse(read_file(dir_ / "archive" / "manifest.json"));
    tags_ = manifest.at(0).at("RepoTags").get<std::vector<std::string>>();
    config_ = json::parse(read_file(dir_ / "archive" / manifest.at(0).at("Config").get<std::string>()));
    for (const auto& layer : manifest.at(0).at("Layers")) {
      const fs::path file = dir_ / "archive" / layer.get<std::string>();
      // Whiteouts of this layer remove what lower layers put there.
      const Result list = run({"tar", "-tf", file.string()});
      check(list);
      std::istringstream names(list.out);
      for (std::string entry; std::getline(names, entry);) {
        const fs::path p(entry);
        const std::string base = p.filename().string();
        if (base.rfind(".wh.", 0) == 0 && base != ".wh..wh..opq")
          fs::remove_all(rootfs() / p.parent_path() / base.substr(4));
      }
      check(run({"tar", "-C", rootfs().string(), "--numeric-owner", "-xpf", file.string()}, std::chrono::seconds(300)));
    }
  }
  ~Image() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  fs::path rootfs() const { return dir_ / "rootfs"; }
  const json& config() const { return config_.at("config"); }
  const std::vector<std::string>& tags() const { return tags_; }
  std::vector<std::string> env() const {
    return config().contains("Env") ? config()["Env"].get<std::vector<std::string>>() : std::vector<std::string>{};
  }

  // The command line running argv inside the image the way a container runtime
  // would: own mount and PID namespaces, /proc and a minimal /dev mounted, chroot,
  // as USER (default: the image's User), with only the image's Env (or no
  // environment at all when the image has no env(1)).
  std::vector<std::string> command(const std::vector<std::string>& argv, const std::string& user = "") const {
    for (const char* d : {"proc", "dev"}) fs::create_directories(rootfs() / d);
    const std::string u = user.empty() ? config().value("User", std::string("0:0")) : user;
    std::vector<std::string> cmd = {
        "unshare",
        "--mount",
        "--pid",
        "--fork",
        "/bin/sh",
        "-ec",
        "r=$1; u=$2; shift 2; mount -t proc proc \"$r/proc\"; mount -t tmpfs -o mode=755 tmpfs \"$r/dev\"; "
        "for d in null zero full random urandom tty; do touch \"$r/dev/$d\"; mount --bind \"/dev/$d\" \"$r/dev/$d\"; "
        "done; exec chroot --userspec=\"$u\" \"$r\" \"$@\"",
        "sh",
        rootfs().string(),
        u};
    if (fs::exists(rootfs() / "usr/bin/env")) {
      cmd.emplace_back("/usr/bin/env");
      cmd.emplace_back("-i");
      for (const auto& e : env()) cmd.push_back(e);
    }
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    return cmd;
  }
  Result exec(const std::vector<std::string>& argv, const std::string& user = "") const {
    droid::process::Options options;
    options.clear_env = true;
    options.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};  // for unshare, mount and chroot themselves
    options.timeout = std::chrono::seconds(120);
    return droid::process::run_with(command(argv, user), options);
  }

  // Every regular file or link under the root filesystem, as absolute image paths.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(rootfs())) {
      if (e.is_symlink() || e.is_regular_file()) out.push_back("/" + e.path().lexically_relative(rootfs()).string());
    }
    return out;
  }

 private:
  static void check(const Result& r) {
    if (!r.ok()) throw std::runtime_error(r.describe());
  }

  std::string name_;
  fs::path archive_;
  fs::path dir_;
  json config_;
  std::vector<std::string> tags_;
};

bool has_shell(const Image& image) {
  for (const char* sh : {"bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/dash", "usr/bin/dash", "bin/busybox",
                         "usr/bin/busybox"}) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(image.rootfs() / sh, ec))) return true;
  }
  return false;
}

std::string label(const Image& image, const std::string& key) {
  const auto& c = image.config();
  return c.contains("Labels") && c["Labels"].contains(key) ? c["Labels"][key].get<std::string>() : "";
}

TEST(OperatorImage, OnlyTheBinaryItsLibrariesAndCertificatesNoShellNonRoot) {
  Image image("operator");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/operator:" + kVersion});
  EXPECT_EQ(image.config().value("User", ""), "65532:65532");
  EXPECT_EQ(image.config().at("Entrypoint"), json::array({"/usr/local/bin/droid-operator"}));
  EXPECT_EQ(label(image, "org.opencontainers.image.version"), kVersion);
  EXPECT_EQ(label(image, "org.opencontainers.image.title"), "droid-operator");
  EXPECT_FALSE(has_shell(image));
  EXPECT_TRUE(fs::exists(image.rootfs() / "etc/ssl/certs/ca-certificates.crt"));
  // Nothing but the binaries (the operator and its egress gateway, the chart's second
  // entrypoint), shared libraries, the loader's cache and a few /etc files.
  for (const auto& f : image.files()) {
    const bool expected = f == "/usr/local/bin/droid-operator" || f == "/usr/local/bin/droid-egress" ||
                          f.find("/lib") != std::string::npos || f.rfind("/etc/", 0) == 0 ||
                          f.rfind("/usr/lib/ssl/", 0) == 0;
    EXPECT_TRUE(expected) << f;
  }
  // Runs with its library closure only, as its user, with an empty environment.
  const Result r = image.exec({"/usr/local/bin/droid-operator", "--version"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "droid-operator " + kVersion + "\n");
  const Result help = image.exec({"/usr/local/bin/droid-operator", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  const Result egress = image.exec({"/usr/local/bin/droid-egress", "--help"});
  EXPECT_EQ(egress.exit_code, 0) << egress.describe();
  EXPECT_EQ(egress.out.rfind("usage: droid-egress", 0), 0U) << egress.describe();
}

TEST(RunnerImage, HasTheAgentsToolsAndWritesOnlyWorkspaceAndTmp) {
  Image image("runner");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/runner:" + kVersion});
  EXPECT_EQ(image.config().value("User", ""), "65532:65532");
  EXPECT_EQ(image.config().at("Entrypoint"), json::array({"/usr/local/bin/droid-runner"}));
  const auto env = image.env();
  for (const char* e : {"HOME=/workspace", "TMPDIR=/tmp", "GIT_CONFIG_GLOBAL=/etc/droid/gitconfig"})
    EXPECT_NE(std::find(env.begin(), env.end(), e), env.end()) << e;
  // No documentation, manual pages or locales.
  EXPECT_FALSE(fs::exists(image.rootfs() / "usr/share/man/man1"));
  EXPECT_FALSE(fs::exists(image.rootfs() / "usr/share/locale/de"));

  const Result version = image.exec({"/usr/local/bin/droid-runner", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.describe();
  EXPECT_EQ(version.out, "droid-runner " + kVersion + "\n");
  EXPECT_EQ(image.exec({"id", "-u"}).out, "65532\n");

  // What an agent does in a pod whose root filesystem is read-only: a repository in
  // /workspace, a build with make and gcc, python, git commit; temporary files in /tmp.
  const Result work = image.exec(
      {"/bin/sh", "-ec",
       "cd /workspace && git init -q demo && cd demo && "
       "printf 'int main(void) { return 0; }\\n' > main.c && "
       "printf 'all:\\n\\tgcc -o main main.c && ./main\\n' > Makefile && make -s && "
       "g++ --version > /dev/null && python3 -c 'import json, tempfile; print(json.dumps(tempfile.gettempdir()))' && "
       "git add -A && git commit -q -m demo && git log --format=%an --max-count=1"});
  EXPECT_EQ(work.exit_code, 0) << work.describe();
  EXPECT_EQ(work.out, "\"/tmp\"\ndroid\n") << work.describe();
  // The user cannot write anywhere else.
  const Result outside = image.exec({"/bin/sh", "-c", "touch /usr/local/x || touch /etc/x || touch /x"});
  EXPECT_NE(outside.exit_code, 0) << outside.describe();

  // The runner's own sandbox works in the image (Landlock, seccomp, rlimits).
  const Result sandboxed = image.exec({"/usr/local/bin/droid-runner", "sandbox", "--workspace", "/workspace", "--",
                                       "sh", "-c", "echo sandboxed > f && cat f"});
  EXPECT_EQ(sandboxed.exit_code, 0) << sandboxed.describe();
  EXPECT_EQ(sandboxed.out, "sandboxed\n");
}

// The runner image in a real OCI runtime (runc, as the node's containerd runs it): read-only
// root filesystem, user 65532, tmpfs /tmp and /workspace, and policies/seccomp/droid-runner.json
// as the container's seccomp filter. droid-runner and its own sandbox work; unshare is refused,
// and only because of the profile (the same container without it may unshare).
Result run_in_runc(const Image& image, bool with_profile) {
  const fs::path bundle = temp_dir("droid-runc-bundle");
  const Result spec = run({"runc", "spec", "--bundle", bundle.string()});
  if (!spec.ok()) throw std::runtime_error(spec.describe());
  json config = json::parse(read_file(bundle / "config.json"));
  config["root"] = {{"path", image.rootfs().string()}, {"readonly", true}};
  config["process"]["terminal"] = false;
  config["process"]["user"] = {{"uid", 65532}, {"gid", 65532}};
  config["process"]["env"] = image.env();
  config["process"]["cwd"] = "/workspace";
  config["process"]["args"] = {
      "/bin/sh", "-c",
      "droid-runner --version && "
      "droid-runner sandbox --workspace /workspace -- sh -c 'echo sandboxed-ok' && "
      "if unshare -U true 2>/dev/null; then echo unshare-allowed; else echo unshare-refused; fi"};
  for (const char* dir : {"/tmp", "/workspace"})
    config["mounts"].push_back(
        {{"destination", dir}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev", "mode=1777"}}});
  if (with_profile)
    config["linux"]["seccomp"] =
        json::parse(read_file(fs::path(DROID_SOURCE_DIR) / "policies/seccomp/droid-runner.json"));
  std::ofstream(bundle / "config.json") << config.dump();
  const std::string id = "droid-images-test-" + std::to_string(getpid()) + (with_profile ? "-profile" : "-bare");
  const Result r = run({"runc", "run", "--bundle", bundle.string(), id}, std::chrono::seconds(120));
  run({"runc", "delete", "--force", id});
  fs::remove_all(bundle);
  return r;
}

TEST(RunnerImage, RunsUnderRuncWithTheSeccompProfile) {
  if (run({"sh", "-c", "command -v runc"}).exit_code != 0)
    GTEST_SKIP() << "runc is not installed (Debian package runc)";
  Image image("runner");
  const Result confined = run_in_runc(image, true);
  EXPECT_EQ(confined.exit_code, 0) << confined.describe();
  EXPECT_EQ(confined.out, "droid-runner " + kVersion + "\nsandboxed-ok\nunshare-refused\n") << confined.describe();
  const Result bare = run_in_runc(image, false);
  EXPECT_EQ(bare.out, "droid-runner " + kVersion + "\nsandboxed-ok\nunshare-allowed\n") << bare.describe();
}

TEST(ScriptedGatewayImage, NoShellAndTheGatewayRuns) {
  Image image("scripted-gateway");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/scripted-gateway:" + kVersion});
  EXPECT_FALSE(has_shell(image));
  EXPECT_EQ(image.config().value("User", ""), "65532:65532");
  const Result help = image.exec({"/usr/local/bin/droid-scripted-gateway", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  EXPECT_NE((help.out + help.err).find("--script"), std::string::npos);
}

TEST(OtelCollectorImage, ItsConfigurationValidates) {
  Image image("otel-collector");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/otel-collector:" + kVersion});
  EXPECT_FALSE(has_shell(image));
  EXPECT_EQ(image.config().value("User", ""), "65532:65532");
  const Result r = image.exec({"/usr/local/bin/otelcol", "validate", "--config", "/etc/otelcol/config.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const Result components = image.exec({"/usr/local/bin/otelcol", "components"});
  EXPECT_NE(components.out.find("otlp"), std::string::npos) << components.describe();
}

// A process started in the background, killed (its group) when it goes out of scope.
class Background {
 public:
  explicit Background(const std::vector<std::string>& argv) {
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      std::vector<char*> args;
      args.reserve(argv.size() + 1);
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
  }
  ~Background() {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  pid_t pid() const { return pid_; }
  // Sends sig to the process and waits for it; returns its wait status.
  int stop(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

int free_port() {
  const Result r =
      run({"python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"});
  return std::stoi(r.out);
}

// The git server of the image, started on a free loopback port with extra arguments;
// url() is the sample repository's once it answers.
class GitServer {
 public:
  GitServer(const Image& image, const std::vector<std::string>& extra) : port_(free_port()) {
    std::vector<std::string> argv;
    for (const auto& a : image.config().at("Entrypoint")) argv.push_back(a.get<std::string>());
    for (const std::string a : {"--root", "/var/lib/git", "--seed", "/srv/git-seed", "--listen", "127.0.0.1", "--port"})
      argv.push_back(a);
    argv.push_back(std::to_string(port_));
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Background>(image.command(argv));
    for (int i = 0; i < 300; ++i) {  // until it listens (seeding copies the repository first)
      if (run({"curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + std::to_string(port_) + "/"}).ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string url(const std::string& credentials = "") const {
    return "http://" + credentials + "127.0.0.1:" + std::to_string(port_) + "/sample.git";
  }

 private:
  int port_;
  std::unique_ptr<Background> server_;
};

TEST(GitServerImage, ServesTheSampleRepositoryAndAcceptsAPush) {
  Image image("git-server");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/git-server:" + kVersion});
  EXPECT_EQ(image.config().value("User", ""), "65532:65532");
  GitServer server(image, {});
  const fs::path client = temp_dir("droid-git-client");
  const Result clone = run({"git", "clone", "-q", server.url(), (client / "sample").string()});
  ASSERT_TRUE(clone.ok()) << clone.describe();
  EXPECT_TRUE(fs::exists(client / "sample" / "calc.py"));
  const std::string repo = (client / "sample").string();
  ASSERT_TRUE(run({"git", "-C", repo, "checkout", "-q", "-b", "droid/test"}).ok());
  std::ofstream(client / "sample" / "NOTE") << "pushed\n";
  ASSERT_TRUE(run({"git", "-C", repo, "add", "NOTE"}).ok());
  ASSERT_TRUE(run({"git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "n"}).ok());
  const Result push = run({"git", "-C", repo, "push", "-q", "origin", "droid/test"});
  EXPECT_TRUE(push.ok()) << push.describe();
  const Result refs = run({"git", "ls-remote", server.url()});
  EXPECT_NE(refs.out.find("refs/heads/droid/test"), std::string::npos) << refs.describe();
  EXPECT_NE(refs.out.find("refs/heads/main"), std::string::npos) << refs.describe();
  fs::remove_all(client);
}

TEST(GitServerImage, WithBasicAuthRefusesWrongCredentials) {
  Image image("git-server");
  std::ofstream(image.rootfs() / "tmp" / "git-password") << "s3cret-droid\n";
  fs::permissions(image.rootfs() / "tmp" / "git-password", fs::perms::owner_read | fs::perms::others_read);
  GitServer server(image, {"--user", "droid", "--password-file", "/tmp/git-password"});
  droid::process::Options no_prompt;
  no_prompt.env = {"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/false"};
  const Result anonymous = droid::process::run_with({"git", "ls-remote", server.url()}, no_prompt);
  EXPECT_NE(anonymous.exit_code, 0) << anonymous.describe();
  const Result wrong = droid::process::run_with({"git", "ls-remote", server.url("droid:wrong@")}, no_prompt);
  EXPECT_NE(wrong.exit_code, 0) << wrong.describe();
  const Result right = droid::process::run_with({"git", "ls-remote", server.url("droid:s3cret-droid@")}, no_prompt);
  EXPECT_TRUE(right.ok()) << right.describe();
  EXPECT_NE(right.out.find("refs/heads/main"), std::string::npos) << right.describe();
}

// Whether pid is pause waiting for its signals: it runs the pause program (chroot has
// exec'd it) and sleeps, which pause does only in sigwaitinfo, with SIGTERM blocked
// (during the wait the kernel shows the waited signals as unblocked in SigBlk).
bool pause_is_waiting(pid_t pid) {
  std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
  bool named = false;
  bool sleeping = false;
  for (std::string line; std::getline(status, line);) {
    if (line == "Name:\tpause") named = true;
    if (line.rfind("State:\tS", 0) == 0) sleeping = true;
  }
  return named && sleeping;
}

TEST(PauseImage, OneStaticFileThatExitsOnSigterm) {
  Image image("pause");
  EXPECT_EQ(image.tags(), std::vector<std::string>{"localhost/droid/pause:" + kVersion});
  EXPECT_EQ(image.files(), std::vector<std::string>{"/pause"});
  EXPECT_EQ(image.config().at("Entrypoint"), json::array({"/pause"}));
  const Result version = image.exec({"/pause", "--version"});
  EXPECT_EQ(version.out, "droid-pause " + kVersion + "\n") << version.describe();
  // Run directly (chroot: no unshare, so the signal goes to pause itself).
  Background pause({"chroot", "--userspec=65535:65535", image.rootfs().string(), "/pause"});
  for (int i = 0; i < 300 && !pause_is_waiting(pause.pid()); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(pause_is_waiting(pause.pid())) << "pause never got to wait for its signals";
  const int status = pause.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Containerd, CtrImportsAnArchiveWithItsTag) {
  if (run({"sh", "-c", "command -v containerd && command -v ctr"}).exit_code != 0)
    GTEST_SKIP() << "containerd is not installed (Debian package containerd)";
  std::string tmpl = fs::temp_directory_path().string() + "/droid-containerd-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  std::ofstream(dir / "config.toml") << "version = 2\nroot = \"" << (dir / "root").string() << "\"\nstate = \""
                                     << (dir / "state").string()
                                     << "\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                                        "[grpc]\n  address = \""
                                     << (dir / "containerd.sock").string() << "\"\n";
  {
    Background containerd({"containerd", "--config", (dir / "config.toml").string(), "--log-level", "error"});
    const std::string sock = (dir / "containerd.sock").string();
    Result imported;
    for (int i = 0; i < 100; ++i) {  // until containerd listens
      imported =
          run({"ctr", "--address", sock, "-n", "k8s.io", "images", "import", (images_dir() / "operator.tar").string()});
      if (imported.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(imported.ok()) << imported.describe();
    const Result list = run({"ctr", "--address", sock, "-n", "k8s.io", "images", "ls", "-q"});
    EXPECT_NE(list.out.find("localhost/droid/operator:" + kVersion), std::string::npos) << list.describe();
  }
  run({"umount", "-R", (dir / "root").string()});  // any snapshot mounts (none expected)
  fs::remove_all(dir);
}

TEST(AirgapBundle, ChecksumsVerifyAndItHasEverything) {
  const fs::path bundle = fs::path(DROID_SOURCE_DIR) / "build" / ("droid-operator-airgap-" + kVersion + ".tar.gz");
  ASSERT_TRUE(fs::exists(bundle)) << bundle << " is missing: run `make airgap-bundle` first";
  std::string tmpl = fs::temp_directory_path().string() + "/droid-airgap-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const fs::path dir = tmpl;
  ASSERT_TRUE(run({"tar", "-C", dir.string(), "-xzf", bundle.string()}, std::chrono::seconds(300)).ok());
  const fs::path root = dir / ("droid-operator-airgap-" + kVersion);
  for (const std::string f : {"README.md", "SHA256SUMS", "seccomp/droid-runner.json", "images/operator.tar",
                              "images/runner.tar", "images/pause.tar", "images/images.txt",
                              "crds/droid.dev_droidsessions.yaml", "crds/droid.dev_orgpolicies.yaml"})
    EXPECT_TRUE(fs::exists(root / f)) << f;
  EXPECT_TRUE(fs::exists(root / "chart" / ("droid-operator-" + kVersion + ".tgz")));
  const std::string check = "cd '" + root.string() + "' && sha256sum --quiet --strict -c SHA256SUMS";
  const Result ok = run({"sh", "-c", check}, std::chrono::seconds(300));
  EXPECT_TRUE(ok.ok()) << ok.describe();
  // A changed file is caught.
  std::ofstream(root / "seccomp" / "droid-runner.json", std::ios::app) << " ";
  const Result tampered = run({"sh", "-c", check}, std::chrono::seconds(300));
  EXPECT_NE(tampered.exit_code, 0) << tampered.describe();
  EXPECT_NE(tampered.out.find("seccomp/droid-runner.json: FAILED"), std::string::npos) << tampered.describe();
  EXPECT_NE(read_file(root / "README.md").find("droid-operator " + kVersion), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
