// policy_fuzz: the bash oracle over many generated variants of the corpus
// commands (mutate.h), for longer than `make test` can. Prints every
// disagreement as a corpus line to add (bypass.tsv) and how many it found.
//   policy_fuzz [VARIANTS] [SEED]          (root; `make policy-fuzz`)
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "policy/corpus.h"
#include "policy/oracle/bash_oracle.h"
#include "policy/oracle/mutate.h"
#include "policy/oracle/oracle_check.h"
#include "policy/program_table.h"

using namespace droid::runner::policy;
using namespace droid::runner::policy::oracle;

int main(int argc, char** argv) {
  long variants = argc > 1 ? std::stol(argv[1]) : 5000;
  unsigned seed = argc > 2 ? static_cast<unsigned>(std::stoul(argv[2])) : std::random_device{}();
  std::vector<std::string> names;
  for (const auto& p : program_table())
    for (auto n : p.names)
      if (!n.empty() && n.back() != '*') names.emplace_back(n);
  BashOracle oracle(DROID_ORACLE_STUB, names);
  if (!oracle.ok()) {
    std::cerr << "policy_fuzz: " << oracle.error() << "\n";
    return 2;
  }
  std::ifstream in(std::string(DROID_POLICY_TESTDATA) + "/settings.json");
  std::stringstream ss;
  ss << in.rdbuf();
  Policy policy(nlohmann::json::parse(ss.str()), BashOracle::kWorkspace);
  auto lines = load_corpus(DROID_POLICY_TESTDATA);
  std::mt19937 rng(seed);
  long checked = 0, found = 0;
  while (checked < variants) {
    const auto& line = lines[rng() % lines.size()];
    if (line.kind.empty()) continue;
    for (const auto& cmd : mutations(line.command, rng, 1)) {
      Observed r = oracle.run(cmd);
      ++checked;
      auto ds = disagreements(policy, Autonomy::High, cmd, r);
      if (ds.empty()) continue;
      ++found;
      std::string escaped;
      for (char c : cmd) escaped += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
      std::cout << "adv\t!allow\t*\thigh\t" << escaped << "\t# " << ds[0] << "\n";
    }
  }
  std::cout << "policy_fuzz: seed " << seed << ", " << checked << " variants, " << found << " disagreements\n";
  return found == 0 ? 0 : 1;
}
