// Resource limits for a sandboxed command (setrlimit(2)), applied in the child
// between fork and exec. Limits is the caller's description, with 0 meaning
// "leave the inherited limit alone"; prepare_rlimits turns it into a fixed
// table once, in the parent, so that apply_rlimits allocates nothing and is
// safe to call after fork.
// RLIMIT_NPROC counts every process of the real user id, and the kernel does
// not enforce it for root (CAP_SYS_RESOURCE/CAP_SYS_ADMIN): it bounds fork bombs
// only when the runner runs as a non-root user, as it does in a pod.
#pragma once

#include <sys/resource.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace droid::runner::sandbox {

struct Limits {
  std::uint64_t cpu_seconds = 600;             // RLIMIT_CPU (SIGXCPU, then SIGKILL)
  std::uint64_t data_bytes = 8ULL << 30;       // RLIMIT_DATA: heap and private writable mappings
  std::uint64_t address_space_bytes = 0;       // RLIMIT_AS; off by default (breaks Go and JVM reservations)
  std::uint64_t file_size_bytes = 4ULL << 30;  // RLIMIT_FSIZE: largest file a command may write
  std::uint64_t processes = 512;               // RLIMIT_NPROC: processes of the user id
  std::uint64_t open_files = 1024;             // RLIMIT_NOFILE
  // Core dumps are always disabled (RLIMIT_CORE 0): they would write the
  // command's memory, secrets included, outside the sandbox's control.
};

struct PreparedLimits {
  struct Entry {
    int resource = 0;
    rlimit value{};
  };
  std::array<Entry, 7> entries{};
  std::size_t count = 0;
};

PreparedLimits prepare_rlimits(const Limits& limits);

// Applies the table; returns 0, or the errno of the first setrlimit that failed.
// Async-signal-safe. A hard limit above the inherited one is lowered to it
// (an unprivileged process cannot raise its hard limit).
int apply_rlimits(const PreparedLimits& prepared);

}  // namespace droid::runner::sandbox
