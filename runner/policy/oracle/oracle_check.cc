#include "policy/oracle/oracle_check.h"

#include "policy/analyze.h"

namespace droid::runner::policy::oracle {
namespace {

std::string verdict_text(const Verdict& v) {
  return std::string(decision_name(v.decision)) + "/" + std::string(risk_name(v.risk));
}

std::string name_of(const std::string& argv0) {
  std::size_t slash = argv0.rfind('/');
  return slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
}

}  // namespace

std::string shell_quote(std::vector<std::string> argv) {
  const std::string home = BashOracle::kHome;
  std::string out;
  for (auto& a : argv) {
    bool tilde = false;
    if (a == home || a.rfind(home + "/", 0) == 0) {
      a = a.substr(home.size());
      tilde = true;
    }
    if (!out.empty()) out += ' ';
    if (tilde) out += '~';
    if (a.empty() && tilde) continue;
    out += '\'';
    for (char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

std::vector<std::string> disagreements(const Policy& policy, Autonomy autonomy, const std::string& command,
                                       const Observed& run) {
  std::vector<std::string> out;
  Verdict whole = policy.check(command, autonomy);
  Analysis analysis = analyze(command, BashOracle::kWorkspace);
  bool doubt_high = false;
  for (const auto& p : analysis.parts) doubt_high = doubt_high || (p.doubt && p.risk == Risk::High);
  for (const auto& ran : run.programs) {
    if (ran.empty()) continue;
    std::string alone_text = shell_quote(ran);
    Verdict alone = policy.check(alone_text, autonomy);
    if (whole.decision < alone.decision || whole.risk < alone.risk)
      out.push_back("bash ran `" + alone_text + "`, which alone is " + verdict_text(alone) + "; the command line got " +
                    verdict_text(whole));
    std::string name = name_of(ran[0]);
    // A shell started with -c (by flock -c, find -exec sh, git's ! aliases...) runs what the
    // records after it show; each of those is checked on its own.
    bool shell_string = (name == "sh" || name == "bash" || name == "dash") && ran.size() > 1 && ran[1] == "-c";
    bool seen = doubt_high || shell_string;
    for (const auto& p : analysis.parts)
      if (p.is_command && (p.normalized.program.empty() || name_of(p.normalized.program) == name)) seen = true;
    if (!seen) out.push_back("bash ran `" + alone_text + "`, which the policy never saw");
  }
  return out;
}

}  // namespace droid::runner::policy::oracle
