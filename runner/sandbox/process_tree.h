// The process tree below a process, read from /proc, for the sandbox's
// supervisor: it is a child subreaper (PR_SET_CHILD_SUBREAPER), so every
// descendant of the command, including those that left its process group and
// session with setsid() or double-forked, stays below it and can be found and
// killed here. Functions allocate; the supervisor is a forked copy of the
// runner, where glibc keeps malloc usable.
#pragma once

#include <sys/types.h>

#include <vector>

namespace droid::runner::sandbox {

// Every live or zombie process whose ancestry leads to `root` (not `root` itself).
std::vector<pid_t> descendants(pid_t root);

// Sends `sig` to every descendant of the calling process.
void signal_descendants(int sig);

// SIGKILLs every descendant of the calling process (a subreaper) and reaps
// them, repeating until none is left. Returns the wait status of `watched`
// when it was reaped here, via `watched_status`.
void kill_and_reap_all(pid_t watched, int* watched_status, bool* watched_reaped);

}  // namespace droid::runner::sandbox
