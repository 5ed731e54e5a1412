#include "session_registry.h"

#include <array>
#include <mutex>
#include <stdexcept>

#include <openssl/rand.h>
#include <openssl/sha.h>

namespace droid::egress {
namespace {

std::string digest(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), md.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(md.size() * 2);
  for (unsigned char c : md) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

}  // namespace

const char* to_string(Refusal refusal) {
  switch (refusal) {
    case Refusal::None: return "none";
    case Refusal::NoToken: return "no session token (Proxy-Authorization)";
    case Refusal::UnknownToken: return "unknown session token";
    case Refusal::Finished: return "the session has finished";
    case Refusal::Expired: return "the session is past its deadline";
    case Refusal::WrongSource: return "the session token is used from another address than the session's pod";
  }
  return "unknown";
}

void SessionRegistry::put(const std::string& token, Session session) {
  if (session.id.empty()) throw std::invalid_argument("session: id is empty");
  if (token.size() < 32)
    throw std::invalid_argument("session " + session.id + ": token must be at least 32 characters");
  if (session.pod_ip.empty()) throw std::invalid_argument("session " + session.id + ": podIP is empty");
  const std::string d = digest(token);
  std::unique_lock lock(mu_);
  if (auto old = digest_by_id_.find(session.id); old != digest_by_id_.end()) by_digest_.erase(old->second);
  digest_by_id_[session.id] = d;
  by_digest_[d] = std::make_shared<const Session>(std::move(session));
}

void SessionRegistry::finish(const std::string& id) {
  std::unique_lock lock(mu_);
  auto it = digest_by_id_.find(id);
  if (it == digest_by_id_.end()) return;
  auto& slot = by_digest_[it->second];
  auto copy = std::make_shared<Session>(*slot);
  copy->finished = true;
  slot = std::move(copy);
}

std::vector<std::string> SessionRegistry::ids() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(digest_by_id_.size());
  for (const auto& [id, digest] : digest_by_id_) out.push_back(id);
  return out;
}

void SessionRegistry::prune(Clock::time_point now, Clock::duration keep) {
  std::unique_lock lock(mu_);
  for (auto it = digest_by_id_.begin(); it != digest_by_id_.end();) {
    const auto& s = by_digest_[it->second];
    if ((s->finished || s->expires_at < now) && s->expires_at + keep < now) {
      by_digest_.erase(it->second);
      it = digest_by_id_.erase(it);
    } else {
      ++it;
    }
  }
}

Identity SessionRegistry::identify(std::string_view token, std::string_view source_ip, Clock::time_point now) const {
  if (token.empty()) return {Refusal::NoToken, nullptr};
  const std::string d = digest(token);
  std::shared_lock lock(mu_);
  auto it = by_digest_.find(d);
  if (it == by_digest_.end()) return {Refusal::UnknownToken, nullptr};
  const auto& s = it->second;
  if (s->finished) return {Refusal::Finished, s};
  if (now >= s->expires_at) return {Refusal::Expired, s};
  if (source_ip != s->pod_ip) return {Refusal::WrongSource, s};
  return {Refusal::None, s};
}

std::size_t SessionRegistry::size() const {
  std::shared_lock lock(mu_);
  return by_digest_.size();
}

std::string make_token() {
  std::array<unsigned char, 43> raw{};  // 43 characters of 6 random bits each: 258 bits
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(raw.size());
  for (unsigned char c : raw) out.push_back(kAlphabet[c & 63]);
  return out;
}

}  // namespace droid::egress
