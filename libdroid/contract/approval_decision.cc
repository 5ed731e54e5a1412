#include "contract/approval_decision.h"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4U];
    out += kDigits[data[i] & 0x0FU];
  }
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(
               message.data()),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
           message.size(), mac.data(), &size) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return hex(mac.data(), size);
}

// What is signed: every field and the run, as one unambiguous JSON array.
std::string signed_text(const ApprovalDecision& d, int run_attempt) {
  return json::array({"droid.dev/approval-decision/v1", run_attempt, d.id, d.approved ? "approved" : "rejected",
                      d.command, d.by, d.at, d.reason})
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string string_field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string session_approval_key(std::string_view signing_key, std::string_view session_uid) {
  if (signing_key.empty()) throw std::invalid_argument("approval signing key is empty");
  if (session_uid.empty()) throw std::invalid_argument("session uid is empty");
  return hmac_sha256_hex(signing_key, "droid.dev/approval-key/v1:" + std::string(session_uid));
}

std::string encode_signed(const ApprovalDecision& d, std::string_view key, int run_attempt) {
  if (key.empty()) throw std::invalid_argument("approval key is empty");
  return json{{"id", d.id},
              {"decision", d.approved ? "approved" : "rejected"},
              {"command", d.command},
              {"by", d.by},
              {"at", d.at},
              {"reason", d.reason},
              {"sig", hmac_sha256_hex(key, signed_text(d, run_attempt))}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

VerifiedDecision decode_verified(std::string_view text, std::string_view key, int run_attempt) {
  VerifiedDecision v;
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    v.error = "not a JSON object";
    return v;
  }
  ApprovalDecision d;
  d.id = string_field(j, "id");
  d.command = string_field(j, "command");
  const std::string decision = string_field(j, "decision");
  if (d.id.empty() || d.command.empty() || (decision != "approved" && decision != "rejected")) {
    v.error = "not a decision (id, command and decision approved|rejected are required)";
    return v;
  }
  d.approved = decision == "approved";
  d.by = string_field(j, "by");
  d.at = string_field(j, "at");
  d.reason = string_field(j, "reason");
  const std::string sig = string_field(j, "sig");
  if (sig.empty()) {
    v.error = "unsigned";
    return v;
  }
  if (key.empty()) {
    v.error = "no approval key to verify the signature with";
    return v;
  }
  const std::string expected = hmac_sha256_hex(key, signed_text(d, run_attempt));
  if (sig.size() != expected.size() || CRYPTO_memcmp(sig.data(), expected.data(), sig.size()) != 0) {
    v.error = "the signature does not match (forged, changed, or for another run)";
    return v;
  }
  v.decision = d;
  return v;
}

}  // namespace droid::contract
