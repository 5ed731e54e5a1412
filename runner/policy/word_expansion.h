// The parts of bash's word expansion the policy can do statically, so that a
// command spelled with them is judged as what bash runs: brace expansion
// ({rm,-rf,/} is three words, a{1..3} is a1 a2 a3) and the default $IFS
// (rm${IFS}-rf is two words, when nothing in the command line sets IFS, which
// the policy rates high on its own).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::policy {

// The words of an unquoted word with braces; nullopt when it has more than
// `limit` results or a malformed sequence.
std::optional<std::vector<std::string>> brace_expand(std::string_view word, std::size_t limit = 256);

// The words of an unquoted word whose only expansions are $IFS and ${IFS}.
std::optional<std::vector<std::string>> split_default_ifs(std::string_view word);

}  // namespace droid::runner::policy
