// The shield as the runner uses it (SPEC §6.3): built from the effective
// settings' `shield` object ({enabled, mode block|redact, customPatterns}) and
// the runner's own credentials (known secrets), it checks one text — a prompt,
// a file, a command, tool output, a diff — and returns what to do with it.
//
//   enabled (default true): built-in rules and custom patterns apply;
//   mode "block" (default): any finding blocks the text; "redact": secrets are
//     replaced and the text goes on.
// Known secrets are found and redacted whatever the settings, and in block mode
// they block like any other finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shield/redactor.h"
#include "shield/rules.h"
#include "shield/scanner.h"

namespace droid::runner::shield {

enum class Mode { kBlock, kRedact };

struct Verdict {
  bool blocked = false;           // block mode and at least one finding
  std::string text;               // the text with every secret replaced
  std::vector<Finding> findings;  // positions refer to the original text
};

// Rules from `shield.customPatterns` (name, regex, description, keywords). A
// pattern with a capture group reports its first group as the secret. Throws
// std::invalid_argument for a regex RE2 rejects.
std::vector<Rule> custom_rules(const nlohmann::json& settings);

class Shield {
 public:
  // `settings` are effective settings (the `shield` key may be absent).
  Shield(const nlohmann::json& settings, const std::vector<std::string>& known_secrets, const HashKey& key);

  Verdict check(std::string_view text) const;

  bool enabled() const { return enabled_; }
  Mode mode() const { return mode_; }
  const Scanner& scanner() const { return scanner_; }
  const Redactor& redactor() const { return redactor_; }

 private:
  bool enabled_ = true;
  Mode mode_ = Mode::kBlock;
  Scanner scanner_;
  Redactor redactor_;
};

}  // namespace droid::runner::shield
