#include "sandbox/rlimits.h"

#include <cerrno>

namespace droid::runner::sandbox {

PreparedLimits prepare_rlimits(const Limits& limits) {
  PreparedLimits out;
  auto add = [&out](int resource, std::uint64_t value) {
    out.entries.at(out.count++) = {resource, rlimit{static_cast<rlim_t>(value), static_cast<rlim_t>(value)}};
  };
  if (limits.cpu_seconds != 0) {
    // The soft limit sends SIGXCPU; the hard limit, one second later, SIGKILL.
    add(RLIMIT_CPU, limits.cpu_seconds);
    out.entries.at(out.count - 1).value.rlim_max = static_cast<rlim_t>(limits.cpu_seconds + 1);
  }
  if (limits.data_bytes != 0) add(RLIMIT_DATA, limits.data_bytes);
  if (limits.address_space_bytes != 0) add(RLIMIT_AS, limits.address_space_bytes);
  if (limits.file_size_bytes != 0) add(RLIMIT_FSIZE, limits.file_size_bytes);
  if (limits.processes != 0) add(RLIMIT_NPROC, limits.processes);
  if (limits.open_files != 0) add(RLIMIT_NOFILE, limits.open_files);
  add(RLIMIT_CORE, 0);
  return out;
}

int apply_rlimits(const PreparedLimits& prepared) {
  for (std::size_t i = 0; i < prepared.count; ++i) {
    const auto& e = prepared.entries.at(i);
    rlimit current{};
    if (getrlimit(e.resource, &current) != 0) return errno;
    rlimit wanted = e.value;
    if (current.rlim_max != RLIM_INFINITY && (wanted.rlim_max == RLIM_INFINITY || wanted.rlim_max > current.rlim_max))
      wanted.rlim_max = current.rlim_max;
    if (wanted.rlim_cur > wanted.rlim_max) wanted.rlim_cur = wanted.rlim_max;
    if (setrlimit(e.resource, &wanted) != 0) return errno;
  }
  return 0;
}

}  // namespace droid::runner::sandbox
