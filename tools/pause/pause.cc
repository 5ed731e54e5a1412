// droid-pause: the pod sandbox's placeholder process (the "pause" container of
// every pod on the test bed's node, SPEC §8), so that no image is pulled for it.
//
// It holds the pod's namespaces open by doing nothing: it blocks SIGTERM, SIGINT
// and SIGCHLD and waits for them with sigwaitinfo(). SIGTERM or SIGINT end it with
// status 0 (the runtime stops the sandbox that way); SIGCHLD reaps every exited
// child, since as PID 1 of a shared PID namespace it inherits orphans. With
// `--version` it prints its version and exits. Linked statically: its image is only
// this file.
#include <pthread.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("droid-pause %s\n", DROID_VERSION);
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "usage: droid-pause [--version]\n");
    return 2;
  }
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGTERM);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGCHLD);
  if (pthread_sigmask(SIG_BLOCK, &waited, nullptr) != 0) {
    std::fputs("droid-pause: cannot block signals\n", stderr);
    return 1;
  }
  for (;;) {
    siginfo_t info{};
    if (sigwaitinfo(&waited, &info) < 0) {
      if (errno == EINTR) continue;
      std::perror("droid-pause: sigwaitinfo");
      return 1;
    }
    if (info.si_signo != SIGCHLD) return 0;
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
}
