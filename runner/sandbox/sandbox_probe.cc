// A test helper run inside the sandbox: each subcommand tries one thing a tool
// must not be able to do (or, as a control, one it must), prints "ok" and
// exits 0 when it succeeded, or prints "errno=NAME" and exits 1 when it failed.
//   write PATH | read PATH | ptrace PID | unshare | clone-newuser | clone3-newuser
//   mount DIR | socket inet|inet6|unix|packet | connect PORT | io_uring | bpf
//   keyctl | personality | int80 | kill PID | euid | fds | env | spew BYTES
//   forkbomb MAX
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

extern char** environ;

namespace {

int result(long rc) {
  if (rc >= 0) {
    std::cout << "ok\n";
    return 0;
  }
  std::cout << "errno=" << strerrorname_np(errno) << "\n";
  return 1;
}

int run(const std::vector<std::string>& a) {
  const std::string& cmd = a.at(0);
  if (cmd == "write") {
    int fd = open(a.at(1).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return result(-1);
    long n = write(fd, "x", 1);
    close(fd);
    return result(n);
  }
  if (cmd == "read") {
    int fd = open(a.at(1).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return result(-1);
    char buf[16];
    long n = read(fd, buf, sizeof buf);
    close(fd);
    return result(n);
  }
  if (cmd == "ptrace")
    return result(ptrace(PTRACE_ATTACH, static_cast<int>(std::strtol(a.at(1).c_str(), nullptr, 10)), nullptr, nullptr));
  if (cmd == "unshare") return result(unshare(CLONE_NEWUSER));
  if (cmd == "clone-newuser" || cmd == "clone3-newuser") {
    long pid;
    if (cmd == "clone-newuser") {
      pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    } else {
      clone_args args{};
      args.flags = CLONE_NEWUSER;
      args.exit_signal = SIGCHLD;
      pid = syscall(SYS_clone3, &args, sizeof args);
    }
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid(static_cast<pid_t>(pid), nullptr, 0);
    return result(pid);
  }
  if (cmd == "mount") return result(mount("none", a.at(1).c_str(), "tmpfs", 0, nullptr));
  if (cmd == "socket") {
    const std::string& f = a.at(1);
    int family = f == "inet" ? AF_INET : f == "inet6" ? AF_INET6 : f == "packet" ? AF_PACKET : AF_UNIX;
    return result(socket(family, f == "packet" ? SOCK_RAW : SOCK_STREAM, 0));
  }
  if (cmd == "connect") {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return result(-1);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(static_cast<int>(std::strtol(a.at(1).c_str(), nullptr, 10))));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return result(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  }
  if (cmd == "io_uring") {
    io_uring_params params{};
    return result(syscall(SYS_io_uring_setup, 8, &params));
  }
  if (cmd == "bpf") {
    bpf_attr attr{};
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    return result(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
  }
  if (cmd == "keyctl") return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
  if (cmd == "personality") return result(personality(static_cast<unsigned long>(PER_LINUX) | ADDR_NO_RANDOMIZE));
  if (cmd == "int80") {
    long rc = 20;  // getpid in the i386 table
    asm volatile("int $0x80" : "+a"(rc) : : "memory");
    if (rc < 0) errno = static_cast<int>(-rc);
    return result(rc);
  }
  if (cmd == "kill") return result(kill(static_cast<int>(std::strtol(a.at(1).c_str(), nullptr, 10)), 0));
  if (cmd == "euid") {
    std::cout << geteuid() << "\n";
    return 0;
  }
  if (cmd == "fds") {
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      std::string name = e.path().filename().string();
      std::error_code ec;
      // The directory iterator's own fd points at /proc/<pid>/fd.
      if (std::filesystem::read_symlink(e.path(), ec).string().find("/fd") == std::string::npos)
        std::cout << name << " ";
    }
    std::cout << "\n";
    return 0;
  }
  if (cmd == "env") {
    for (char** e = environ; *e != nullptr; ++e) std::cout << *e << "\n";
    return 0;
  }
  if (cmd == "spew") {
    std::string block(65536, 'y');
    for (long left = std::strtol(a.at(1).c_str(), nullptr, 10); left > 0; left -= static_cast<long>(block.size()))
      std::fwrite(block.data(), 1, std::min<long>(left, static_cast<long>(block.size())), stdout);
    return 0;
  }
  if (cmd == "forkbomb") {
    int max = static_cast<int>(std::strtol(a.at(1).c_str(), nullptr, 10));
    int forked = 0;
    std::string pids;
    for (; forked < max; ++forked) {
      pid_t p = fork();
      if (p == 0) {
        pause();
        _exit(0);
      }
      if (p < 0) break;
      pids += " " + std::to_string(p);
    }
    std::cout << "forked " << forked << " errno=" << (forked < max ? strerrorname_np(errno) : "none") << " pids" << pids
              << "\n";
    return 0;
  }
  std::cerr << "unknown probe " << cmd << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  std::vector<std::string> args(argv + 1, argv + argc);
  return run(args);
}
