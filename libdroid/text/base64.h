// Base64 (RFC 4648), one copy for the project: the Kubernetes client (Secret data, kubeconfig
// certificates), the command policy (what `base64 -d` prints, encoded literals in program text)
// and anything else that decodes or encodes it.
//
//   Strict:  the standard alphabet, whitespace ignored, '=' only at the end, no lone symbol
//            at the end (the form Kubernetes and PEM write).
//   Lenient: both alphabets (+/ and -_), '=' and whitespace ignored, a lone trailing symbol
//            dropped: what a reader that wants the bytes a sloppy encoder meant would take.
//
//   auto bytes = text::base64_decode(secret_data, text::Base64::Strict);  // nullopt if invalid
//   std::string token = text::base64_encode(digest, text::Base64Alphabet::Url, false);
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace droid::text {

enum class Base64 { Strict, Lenient };
enum class Base64Alphabet { Standard, Url };

// The decoded bytes, or nullopt when `text` is not base64 under `mode`.
std::optional<std::string> base64_decode(std::string_view text, Base64 mode);

// The encoding of `data`; `pad` adds '=' to a multiple of four characters.
std::string base64_encode(std::string_view data, Base64Alphabet alphabet = Base64Alphabet::Standard, bool pad = true);

}  // namespace droid::text
