// Shannon entropy of a byte string, in bits per byte (0 for "", at most 8).
// Rules use it to tell random-looking secrets from words and placeholders:
// "password" scores 2.75, a random 32-character alphanumeric token about 4.7.
#pragma once

#include <string_view>

namespace droid::runner::shield {

double shannon_entropy(std::string_view text);

}  // namespace droid::runner::shield
