// git's pkt-line framing (gitprotocol-common(5)): four hexadecimal digits giving
// the line's length including themselves, then the payload; "0000" is a flush,
// "0001" a delimiter, "0002" a response end. Lengths 0005..65520 carry data;
// anything else (non-hex digits, 0003, 0004, above 65520) is malformed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace droid::egress {

enum class PktKind { Data, Flush, Delim, ResponseEnd };

struct Pkt {
  PktKind kind = PktKind::Data;
  std::string_view payload;  // Data only; a view into the parsed buffer
};

enum class PktStatus { Ok, NeedMore, Malformed };

constexpr std::size_t kMaxPktLength = 65520;

// Reads one pkt-line at the front of `buffer`. Ok: `pkt` is set and `consumed`
// is its size; NeedMore: the buffer ends inside the line; Malformed: `error` says why.
PktStatus read_pkt(std::string_view buffer, Pkt& pkt, std::size_t& consumed, std::string& error);

// Encodes `payload` as one data pkt-line (for tests and answers).
std::string encode_pkt(std::string_view payload);

}  // namespace droid::egress
