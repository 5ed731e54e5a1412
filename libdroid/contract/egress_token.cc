#include "contract/egress_token.h"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace droid::contract {

std::string base64url(std::string_view data) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned>(static_cast<unsigned char>(data[at])); };
  for (; i + 3 <= data.size(); i += 3) {
    const unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
    out += kAlphabet[v & 63U];
  }
  if (data.size() - i == 1) {
    const unsigned v = byte(i) << 16U;
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
  } else if (data.size() - i == 2) {
    const unsigned v = (byte(i) << 16U) | (byte(i + 1) << 8U);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
  }
  return out;
}

std::string egress_token(std::string_view key, const EgressIdentity& id) {
  if (key.size() < kEgressTokenMinKeyBytes)
    throw std::invalid_argument("egress token key: must be at least " + std::to_string(kEgressTokenMinKeyBytes) +
                                " bytes (Secret " + std::string(kEgressTokenKeySecret) + ", data key \"" +
                                std::string(kEgressTokenKeyDataKey) + "\")");
  std::string message = "droid-egress-token/v1";
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"namespace", &id.namespace_},
                                     {"name", &id.name},
                                     {"uid", &id.uid},
                                     {"podName", &id.pod_name}}) {
    if (value->empty()) throw std::invalid_argument(std::string("egress token identity: ") + field + " is empty");
    if (value->find('\0') != std::string::npos)
      throw std::invalid_argument(std::string("egress token identity: ") + field + " holds a NUL byte");
    message += '\0';
    message += *value;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
               message.data()),
           message.size(), mac.data(), &size) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return base64url(std::string_view(
      reinterpret_cast<const char*>(mac.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
      size));
}

bool tokens_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace droid::contract
