// The seccomp filter of the tool sandbox, built with libseccomp. Default
// action: allow. Denied with EPERM: ptrace, process_vm_readv/writev, mount and
// the new mount API, umount2, pivot_root, chroot, unshare, setns, clone with any
// namespace flag, keyctl/add_key/request_key, bpf, perf_event_open, io_uring_*,
// module loading, kexec, reboot, userfaultfd, open_by_handle_at,
// name_to_handle_at, swapon/swapoff, acct, settimeofday/clock_settime/adjtimex,
// personality flags (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC...), and socket() for
// every address family except AF_UNIX and AF_NETLINK (plus AF_INET/AF_INET6,
// but not SOCK_RAW, with Network::Gateway). clone3 returns ENOSYS (its flags
// are in memory, out of the filter's reach), so libc falls back to clone.
// Syscalls of another ABI (i386 via int 0x80, x32) kill the process.
//
// build_filter() compiles the filter once, in the parent, into a classic BPF
// program; install_filter() loads it in the child with nothing but a syscall.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace droid::runner::sandbox {

enum class Network { None, Gateway };

using BpfProgram = std::vector<sock_filter>;

// Throws SandboxError (landlock.h) when libseccomp cannot build the filter.
// The result is computed once per Network value and cached.
const BpfProgram& build_filter(Network network);

// Requires no_new_privs. Returns 0 or an errno. Async-signal-safe.
int install_filter(const BpfProgram& program);

}  // namespace droid::runner::sandbox
