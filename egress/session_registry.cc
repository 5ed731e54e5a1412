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
    case Refusal::PodPending: return "the session's pod address is not known";
  }
  return "unknown";
}

void SessionRegistry::put(const std::vector<std::string>& tokens, Session session) {
  if (session.id.empty()) throw std::invalid_argument("session: id is empty");
  if (tokens.empty()) throw std::invalid_argument("session " + session.id + ": no token");
  std::vector<std::string> digests;
  for (const auto& token : tokens) {
    if (token.size() < 32)
      throw std::invalid_argument("session " + session.id + ": token must be at least 32 characters");
    digests.push_back(digest(token));
  }
  const std::string key = session.registry_key();
  auto shared = std::make_shared<const Session>(std::move(session));
  std::unique_lock lock(mu_);
  if (auto old = digests_by_key_.find(key); old != digests_by_key_.end()) {
    for (const auto& d : old->second) by_digest_.erase(d);
  }
  for (const auto& d : digests) by_digest_[d] = shared;
  digests_by_key_[key] = std::move(digests);
  by_key_[key] = std::move(shared);
}

void SessionRegistry::finish(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end() || it->second->finished) return;
  auto copy = std::make_shared<Session>(*it->second);
  copy->finished = true;
  std::shared_ptr<const Session> finished = std::move(copy);
  for (const auto& d : digests_by_key_[key]) by_digest_[d] = finished;
  it->second = std::move(finished);
}

std::vector<std::string> SessionRegistry::keys() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(by_key_.size());
  for (const auto& [key, session] : by_key_) out.push_back(key);
  return out;
}

std::shared_ptr<const Session> SessionRegistry::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

void SessionRegistry::prune(Clock::time_point now, Clock::duration keep) {
  std::unique_lock lock(mu_);
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    const auto& s = it->second;
    if ((s->finished || s->expires_at < now) && s->expires_at + keep < now) {
      for (const auto& d : digests_by_key_[it->first]) by_digest_.erase(d);
      digests_by_key_.erase(it->first);
      it = by_key_.erase(it);
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
  if (s->pod_ip.empty()) return {Refusal::PodPending, s};
  if (source_ip != s->pod_ip) return {Refusal::WrongSource, s};
  return {Refusal::None, s};
}

std::size_t SessionRegistry::size() const {
  std::shared_lock lock(mu_);
  return by_key_.size();
}

std::size_t SessionRegistry::active(Clock::time_point now) const {
  std::shared_lock lock(mu_);
  std::size_t n = 0;
  for (const auto& [key, s] : by_key_) n += !s->finished && now < s->expires_at ? 1 : 0;
  return n;
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
