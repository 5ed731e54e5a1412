#include "reconcile/approval_signing_key.h"

#include <array>
#include <stdexcept>

#include <openssl/rand.h>

#include "jsonutil/lookup.h"
#include "kube/config.h"
#include "kube/error.h"

namespace droid::op {
namespace {

using json = nlohmann::json;

constexpr std::size_t kKeyBytes = 32;

std::string random_hex_key() {
  std::array<unsigned char, kKeyBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("approval signing key: no random bytes from OpenSSL");
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out += kDigits[b >> 4U];
    out += kDigits[b & 0x0FU];
  }
  return out;
}

// The key in a Secret as read back ("" when it has none): data.key, base64.
std::string key_of(const json& secret) {
  const std::string encoded = jsonutil::string_at(secret, {"data", "key"});
  if (!encoded.empty()) return kube::base64_decode(encoded);
  return jsonutil::string_at(secret, {"stringData", "key"});  // a server that stores it as written (the twin)
}

// "<doing> <where>: <error><rights>".
std::string failure(const char* doing, const std::string& where, const kube::ApiError& e, const std::string& rights) {
  std::string out = doing;
  out += ' ';
  out += where;
  out += ": ";
  out += e.what();
  out += rights;
  return out;
}

}  // namespace

std::string load_or_create_signing_key(kube::Api& api, const std::string& ns, const std::string& name) {
  const std::string where = "Secret " + ns + "/" + name + " (the operator's approval signing key)";
  const std::string rights = "; the operator needs get and create on secrets in " + ns;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      std::string key = key_of(api.get(kube::kSecrets, ns, name));
      if (key.size() < kKeyBytes) throw std::runtime_error(where + " has no key of at least 32 bytes under 'key'");
      return key;
    } catch (const kube::ApiError& e) {
      if (!e.not_found()) throw std::runtime_error(failure("reading", where, e, rights));
    }
    try {
      std::string key = random_hex_key();
      api.create(
          kube::kSecrets,
          {{"apiVersion", "v1"},
           {"kind", "Secret"},
           {"metadata",
            {{"name", name},
             {"namespace", ns},
             {"labels",
              {{"app.kubernetes.io/name", "droid-operator"}, {"app.kubernetes.io/component", "approval-signing"}}}}},
           {"type", "Opaque"},
           {"stringData", {{"key", key}}}});
      return key;
    } catch (const kube::ApiError& e) {
      // Another replica made it first: read theirs.
      if (!e.conflict()) throw std::runtime_error(failure("creating", where, e, rights));
    }
  }
  throw std::runtime_error(where + " was created and is gone again; start the operator again");
}

}  // namespace droid::op
