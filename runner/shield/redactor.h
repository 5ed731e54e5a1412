// Redaction with stable placeholders: each secret becomes
// "[REDACTED:<rule>:<8 hex digits>]", the digits being the first 32 bits of a
// keyed hash (keyed_hash.h) of the secret. One Redactor per session: the same
// secret always gets the same placeholder, so a model can still tell two
// secrets apart, while the placeholder reveals no part of the secret.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shield/keyed_hash.h"
#include "shield/scanner.h"

namespace droid::runner::shield {

class Redactor {
 public:
  explicit Redactor(const HashKey& key) : key_(key) {}

  std::string placeholder(std::string_view rule, std::string_view secret) const;

  // `text` with every finding's secret replaced; overlapping secrets are merged
  // into one placeholder named after the earliest finding.
  std::string redact(std::string_view text, const std::vector<Finding>& findings) const;

  // The redacted form of text[begin, end): what a finding's match may show.
  std::string redact_range(std::string_view text, std::size_t begin, std::size_t end,
                           const std::vector<Finding>& findings) const;

 private:
  HashKey key_;
};

}  // namespace droid::runner::shield
