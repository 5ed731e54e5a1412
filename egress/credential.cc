#include "credential.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>

namespace droid::egress {
namespace http = boost::beast::http;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

constexpr std::array<std::string_view, 7> kHopByHop = {"connection", "keep-alive",        "proxy-connection", "te",
                                                       "trailer",    "transfer-encoding", "upgrade"};

void remove_hop_by_hop_and(http::fields& fields, bool credentials) {
  std::vector<std::string> drop;
  for (const auto& field : fields) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (iequals(name, "connection")) {
      // Connection: a, b names more hop-by-hop headers.
      std::string_view value(field.value().data(), field.value().size());
      while (!value.empty()) {
        const auto comma = value.find(',');
        drop.push_back(trim(value.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
    const bool hop = std::any_of(kHopByHop.begin(), kHopByHop.end(), [&](auto h) { return iequals(name, h); });
    if (hop || (credentials && is_credential_header(name))) drop.emplace_back(name);
  }
  for (const auto& name : drop) {
    if (!name.empty()) fields.erase(name);
  }
}

}  // namespace

bool is_credential_header(std::string_view name) {
  return iequals(name, "authorization") || iequals(name, "proxy-authorization") || iequals(name, "x-api-key") ||
         iequals(name, "api-key") || iequals(name, "cookie");
}

std::string base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

void rewrite_request_headers(http::fields& fields, const Credential& credential) {
  remove_hop_by_hop_and(fields, true);
  switch (credential.type) {
    case CredentialType::None: break;
    case CredentialType::Bearer: fields.set(http::field::authorization, "Bearer " + credential.value); break;
    case CredentialType::XApiKey: fields.set("x-api-key", credential.value); break;
    case CredentialType::Basic: fields.set(http::field::authorization, "Basic " + base64(credential.value)); break;
  }
}

void remove_hop_by_hop(http::fields& fields) { remove_hop_by_hop_and(fields, false); }

}  // namespace droid::egress
