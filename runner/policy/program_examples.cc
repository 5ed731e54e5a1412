// check_examples() of program_table.h: every entry's examples through the analysis.
#include <algorithm>
#include <string>
#include <vector>

#include "policy/analyze.h"
#include "policy/program_table.h"

namespace droid::runner::policy {

std::vector<std::string> check_examples() {
  std::vector<std::string> failures;
  for (const auto& program : program_table())
    for (const auto& example : program.examples) {
      Analysis analysis = analyze(example.command, "/workspace");
      Risk got = Risk::Low;
      for (const auto& part : analysis.parts) got = std::max(got, part.risk);
      if (got != example.risk || !analysis.parse_error.empty())
        failures.push_back(std::string(program.names.front()) + ": '" + std::string(example.command) + "': expected " +
                           std::string(risk_name(example.risk)) + ", got " + std::string(risk_name(got)) +
                           (analysis.parse_error.empty() ? "" : " (" + analysis.parse_error + ")"));
    }
  return failures;
}

}  // namespace droid::runner::policy
