#include "tls_client_hello.h"

#include <cstdint>

#include "destination.h"

namespace droid::egress {
namespace {

// A bounds-checked reader over the record's bytes.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool u8(std::size_t& v) { return take(1, v); }
  bool u16(std::size_t& v) { return take(2, v); }
  bool u24(std::size_t& v) { return take(3, v); }
  bool skip(std::size_t n) {
    if (data_.size() < n) return false;
    data_.remove_prefix(n);
    return true;
  }
  bool sub(std::size_t n, Reader& out) {
    if (data_.size() < n) return false;
    out = Reader(data_.substr(0, n));
    data_.remove_prefix(n);
    return true;
  }
  std::string_view rest() const { return data_; }
  bool empty() const { return data_.empty(); }

 private:
  bool take(std::size_t n, std::size_t& v) {
    if (data_.size() < n) return false;
    v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[i]);
    data_.remove_prefix(n);
    return true;
  }
  std::string_view data_;
};

HelloStatus bad(std::string& error, const char* why) {
  error = why;
  return HelloStatus::Malformed;
}

}  // namespace

HelloStatus read_client_hello_sni(std::string_view bytes, std::string& server_name, std::string& error) {
  if (bytes.size() < 5) return HelloStatus::NeedMore;
  Reader record(bytes);
  std::size_t type = 0, version = 0, length = 0;
  record.u8(type);
  record.u16(version);
  record.u16(length);
  if (type != 22) return bad(error, "the tunnel does not start with a TLS handshake");
  if ((version >> 8) != 3) return bad(error, "not a TLS record");
  if (length > 16384) return bad(error, "TLS record too long");
  if (bytes.size() < 5 + length) return HelloStatus::NeedMore;
  Reader hs(bytes.substr(5, length));
  std::size_t hs_type = 0, hs_length = 0;
  if (!hs.u8(hs_type) || !hs.u24(hs_length)) return bad(error, "truncated handshake header");
  if (hs_type != 1) return bad(error, "the first handshake message is not a ClientHello");
  Reader hello(std::string_view{});
  if (!hs.sub(hs_length, hello)) return bad(error, "the ClientHello spans more than one record");
  std::size_t n = 0;
  if (!hello.skip(2 + 32)) return bad(error, "truncated ClientHello");      // version, random
  if (!hello.u8(n) || !hello.skip(n)) return bad(error, "bad session id");  // session id
  if (!hello.u16(n) || !hello.skip(n)) return bad(error, "bad cipher suites");
  if (!hello.u8(n) || !hello.skip(n)) return bad(error, "bad compression methods");
  server_name.clear();
  if (hello.empty()) return HelloStatus::Ok;  // no extensions
  Reader exts(std::string_view{});
  if (!hello.u16(n) || !hello.sub(n, exts)) return bad(error, "bad extensions");
  bool seen = false;
  while (!exts.empty()) {
    std::size_t ext_type = 0, ext_len = 0;
    Reader ext(std::string_view{});
    if (!exts.u16(ext_type) || !exts.u16(ext_len) || !exts.sub(ext_len, ext)) return bad(error, "bad extension");
    if (ext_type != 0) continue;
    if (seen) return bad(error, "two server_name extensions");
    seen = true;
    Reader list(std::string_view{});
    if (!ext.u16(n) || !ext.sub(n, list) || !ext.empty()) return bad(error, "bad server_name extension");
    std::size_t name_type = 0, name_len = 0;
    if (!list.u8(name_type) || name_type != 0 || !list.u16(name_len) || list.rest().size() != name_len || name_len == 0)
      return bad(error, "the server_name extension must hold exactly one host name");
    server_name = normalize_host(list.rest());
  }
  return HelloStatus::Ok;
}

}  // namespace droid::egress
