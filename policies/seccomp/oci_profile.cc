#include "oci_profile.h"

#include <seccomp.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace droid::seccomp_profile {
namespace {

using nlohmann::json;

const std::map<std::string, scmp_compare>& operators() {
  static const std::map<std::string, scmp_compare> ops = {{"SCMP_CMP_NE", SCMP_CMP_NE},
                                                          {"SCMP_CMP_LT", SCMP_CMP_LT},
                                                          {"SCMP_CMP_LE", SCMP_CMP_LE},
                                                          {"SCMP_CMP_EQ", SCMP_CMP_EQ},
                                                          {"SCMP_CMP_GE", SCMP_CMP_GE},
                                                          {"SCMP_CMP_GT", SCMP_CMP_GT},
                                                          {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  return ops;
}

const std::set<std::string>& known_actions() {
  static const std::set<std::string> actions = {"SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
                                                "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                                "SCMP_ACT_TRACE",        "SCMP_ACT_LOG"};
  return actions;
}

std::uint32_t architecture(const std::string& name) {
  static const std::map<std::string, std::uint32_t> arches = {
      {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64}, {"SCMP_ARCH_X86", SCMP_ARCH_X86},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},       {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
      {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},       {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
      {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},   {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64}};
  auto it = arches.find(name);
  if (it == arches.end()) throw std::runtime_error("seccomp profile: unknown architecture " + name);
  return it->second;
}

std::string action_of(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_string()) throw std::runtime_error(where + ": no " + key);
  std::string action = j[key].get<std::string>();
  if (known_actions().count(action) == 0) throw std::runtime_error(where + ": unknown action " + action);
  return action;
}

std::uint32_t libseccomp_action(const std::string& action, int errno_ret) {
  if (action == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<std::uint16_t>(errno_ret < 0 ? EPERM : errno_ret));
  if (action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (action == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return SCMP_ACT_TRACE(static_cast<std::uint16_t>(errno_ret < 0 ? 0 : errno_ret));
}

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
  if (rc < 0)
    throw std::runtime_error("seccomp profile: " + what + ": " +
                             std::error_code(-rc, std::generic_category()).message());
}

}  // namespace

bool Profile::allows(const std::string& syscall) const {
  return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) {
    return r.action == "SCMP_ACT_ALLOW" && r.args.empty() &&
           std::find(r.names.begin(), r.names.end(), syscall) != r.names.end();
  });
}

bool Profile::allows_conditionally(const std::string& syscall) const {
  return std::any_of(rules.begin(), rules.end(), [&](const Rule& r) {
    return r.action == "SCMP_ACT_ALLOW" && !r.args.empty() &&
           std::find(r.names.begin(), r.names.end(), syscall) != r.names.end();
  });
}

std::vector<std::string> Profile::names() const {
  std::set<std::string> all;
  for (const auto& r : rules) all.insert(r.names.begin(), r.names.end());
  return {all.begin(), all.end()};
}

Profile parse_profile(const std::string& json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("seccomp profile: not JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::runtime_error("seccomp profile: not a JSON object");
  Profile p;
  p.default_action = action_of(j, "defaultAction", "seccomp profile");
  if (j.contains("defaultErrnoRet")) p.default_errno_ret = j.at("defaultErrnoRet").get<int>();
  if (j.contains("architectures")) {
    for (const auto& a : j.at("architectures")) {
      architecture(a.get<std::string>());  // validates the name
      p.architectures.push_back(a.get<std::string>());
    }
  }
  if (!j.contains("syscalls") || !j["syscalls"].is_array())
    throw std::runtime_error("seccomp profile: no syscalls array");
  for (const auto& s : j["syscalls"]) {
    Rule r;
    const std::string where = "seccomp profile: rule " + std::to_string(p.rules.size());
    if (!s.contains("names") || !s["names"].is_array() || s["names"].empty())
      throw std::runtime_error(where + ": no names");
    for (const auto& n : s["names"]) r.names.push_back(n.get<std::string>());
    r.action = action_of(s, "action", where);
    if (s.contains("errnoRet")) r.errno_ret = s.at("errnoRet").get<int>();
    if (s.contains("args")) {
      for (const auto& a : s.at("args")) {
        ArgCondition c;
        c.index = a.at("index").get<unsigned>();
        c.value = a.at("value").get<std::uint64_t>();
        if (a.contains("valueTwo")) c.value_two = a.at("valueTwo").get<std::uint64_t>();
        c.op = a.at("op").get<std::string>();
        if (operators().count(c.op) == 0) throw std::runtime_error(where + ": unknown operator " + c.op);
        if (c.index > 5) throw std::runtime_error(where + ": argument index above 5");
        r.args.push_back(c);
      }
    }
    p.rules.push_back(std::move(r));
  }
  return p;
}

Profile load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("seccomp profile: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_profile(text.str());
}

void install(const Profile& profile) {
  const int default_errno = profile.default_errno_ret;
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(libseccomp_action(profile.default_action, default_errno)));
  if (!ctx) throw std::runtime_error("seccomp profile: seccomp_init failed");
  void* c = ctx.get();
  for (const auto& name : profile.architectures) {
    const std::uint32_t arch = architecture(name);
    if (arch == seccomp_arch_native()) continue;
    const int rc = seccomp_arch_add(c, arch);
    if (rc != -EEXIST) check(rc, "architecture " + name);
  }
  for (const auto& rule : profile.rules) {
    const int errno_ret = rule.errno_ret >= 0 ? rule.errno_ret : default_errno;
    const std::uint32_t action = libseccomp_action(rule.action, errno_ret);
    std::vector<scmp_arg_cmp> conditions;
    conditions.reserve(rule.args.size());
    for (const auto& a : rule.args) {
      const scmp_compare op = operators().at(a.op);
      conditions.push_back(op == SCMP_CMP_MASKED_EQ ? scmp_arg_cmp{a.index, op, a.value, a.value_two}
                                                    : scmp_arg_cmp{a.index, op, a.value, 0});
    }
    for (const auto& name : rule.names) {
      const int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: skipped, as runc does
      check(seccomp_rule_add_array(c, action, nr, static_cast<unsigned>(conditions.size()), conditions.data()), name);
    }
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw std::runtime_error(std::string("seccomp profile: no_new_privs: ") +
                             std::error_code(errno, std::generic_category()).message());
  check(seccomp_load(c), "load");
}

}  // namespace droid::seccomp_profile
