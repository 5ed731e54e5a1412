// An OCI runtime-spec seccomp profile (the JSON of policies/seccomp/, the format the
// kubelet hands to containerd/runc for a `Localhost` seccompProfile), loaded and
// applied with libseccomp the way runc applies it, so that tests can run a process
// under exactly the filter a pod gets.
//
//   Profile p = load_profile("policies/seccomp/droid-runner.json");  // throws on bad JSON
//   p.allows("ptrace")      // false: no rule allows it (default action applies)
//   install(p);             // in a child: no_new_privs, then the filter on this thread
//
// Semantics as runc's: names unknown to libseccomp are skipped, rules with arguments
// are conditional (all conditions of one rule must hold), SCMP_CMP_MASKED_EQ compares
// (arg & value) == valueTwo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace droid::seccomp_profile {

struct ArgCondition {
  unsigned index = 0;
  std::uint64_t value = 0;
  std::uint64_t value_two = 0;
  std::string op;  // SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT, ..., SCMP_CMP_MASKED_EQ
};

struct Rule {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, ...
  int errno_ret = -1;  // for SCMP_ACT_ERRNO; -1: the profile's defaultErrnoRet, else EPERM
  std::vector<ArgCondition> args;
};

struct Profile {
  std::string default_action;
  int default_errno_ret = -1;
  std::vector<std::string> architectures;
  std::vector<Rule> rules;

  // Whether some rule with action SCMP_ACT_ALLOW names the syscall: unconditionally
  // (allows) or only under argument conditions (allows_conditionally).
  bool allows(const std::string& syscall) const;
  bool allows_conditionally(const std::string& syscall) const;
  // Every name some rule mentions.
  std::vector<std::string> names() const;
};

// Parses the JSON text or file; throws std::runtime_error with the reason when it is
// not a profile (unknown action or operator, missing fields, wrong types).
Profile parse_profile(const std::string& json_text);
Profile load_profile(const std::string& path);

// Sets no_new_privs and loads the profile as a seccomp filter of the calling thread
// (call it in a single-threaded child before exec). Throws std::runtime_error when
// libseccomp refuses a rule or the kernel the filter.
void install(const Profile& profile);

}  // namespace droid::seccomp_profile
