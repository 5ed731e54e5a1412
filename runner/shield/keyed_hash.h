// SipHash-2-4: a keyed pseudo-random function (Aumasson & Bernstein). The
// redactor derives placeholder tags from it, so a tag says nothing about the
// secret to anyone without the session's key.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace droid::runner::shield {

using HashKey = std::array<std::uint8_t, 16>;

std::uint64_t siphash24(const HashKey& key, std::string_view message);

// A key from the operating system's random source.
HashKey random_hash_key();

}  // namespace droid::runner::shield
