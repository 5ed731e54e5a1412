#include "pkt_line.h"

#include <cstdio>

namespace droid::egress {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

PktStatus read_pkt(std::string_view buffer, Pkt& pkt, std::size_t& consumed, std::string& error) {
  if (buffer.size() < 4) return PktStatus::NeedMore;
  std::size_t length = 0;
  for (int i = 0; i < 4; ++i) {
    const int v = hex_value(buffer[static_cast<std::size_t>(i)]);
    if (v < 0) {
      error = "pkt-line length is not four hexadecimal digits";
      return PktStatus::Malformed;
    }
    length = length * 16 + static_cast<std::size_t>(v);
  }
  if (length <= 2) {
    pkt = Pkt{length == 0 ? PktKind::Flush : length == 1 ? PktKind::Delim : PktKind::ResponseEnd, {}};
    consumed = 4;
    return PktStatus::Ok;
  }
  if (length < 5 || length > kMaxPktLength) {
    error = "pkt-line length " + std::to_string(length) + " is out of range";
    return PktStatus::Malformed;
  }
  if (buffer.size() < length) return PktStatus::NeedMore;
  pkt = Pkt{PktKind::Data, buffer.substr(4, length - 4)};
  consumed = length;
  return PktStatus::Ok;
}

std::string encode_pkt(std::string_view payload) {
  char head[5];
  std::snprintf(head, sizeof head, "%04zx", payload.size() + 4);
  return std::string(head, 4) + std::string(payload);
}

}  // namespace droid::egress
