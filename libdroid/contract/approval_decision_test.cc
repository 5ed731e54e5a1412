#include "contract/approval_decision.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

const ApprovalDecision kDecision{"2", true, "terraform plan", "alice@example.com", "2026-12-07T10:02:00Z", "ok"};

TEST(ApprovalDecision, ASignedDecisionVerifiesWithTheSessionsKey) {
  const std::string key = session_approval_key("operator-signing-key", "uid-1");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, session_approval_key("operator-signing-key", "uid-1")) << "derived, not random";
  EXPECT_NE(key, session_approval_key("operator-signing-key", "uid-2"));
  EXPECT_NE(key, session_approval_key("another-operator-key", "uid-1"));

  const std::string text = encode_signed(kDecision, key, 1);
  const json j = json::parse(text);
  EXPECT_EQ(j["decision"], "approved");
  EXPECT_EQ(j["command"], "terraform plan");
  EXPECT_EQ(j["sig"].get<std::string>().size(), 64u);
  const VerifiedDecision v = decode_verified(text, key, 1);
  ASSERT_TRUE(v.decision) << v.error;
  EXPECT_EQ(*v.decision, kDecision);

  ApprovalDecision rejected = kDecision;
  rejected.approved = false;
  rejected.reason = "not on prod";
  EXPECT_EQ(*decode_verified(encode_signed(rejected, key, 3), key, 3).decision, rejected);
}

// What someone who may patch pods, but has no key, could write.
TEST(ApprovalDecision, AForgedOrChangedDecisionIsRefused) {
  const std::string key = session_approval_key("operator-signing-key", "uid-1");
  const std::string text = encode_signed(kDecision, key, 1);

  json unsigned_ = json::parse(text);
  unsigned_.erase("sig");
  EXPECT_EQ(decode_verified(unsigned_.dump(), key, 1).error, "unsigned");

  const std::string other_key = session_approval_key("operator-signing-key", "uid-other-session");
  EXPECT_FALSE(decode_verified(encode_signed(kDecision, other_key, 1), key, 1).decision)
      << "signed for another session";
  EXPECT_FALSE(decode_verified(text, key, 2).decision) << "replayed to another run of the session";
  EXPECT_FALSE(decode_verified(text, "", 1).decision) << "no key: nothing verifies";

  for (const auto& [field, value] :
       std::initializer_list<std::pair<const char*, const char*>>{{"command", "terraform apply -auto-approve"},
                                                                  {"decision", "rejected"},
                                                                  {"by", "mallory"},
                                                                  {"id", "3"},
                                                                  {"reason", "x"},
                                                                  {"at", "2026-12-07T10:03:00Z"}}) {
    json changed = json::parse(text);
    changed[field] = value;
    const VerifiedDecision v = decode_verified(changed.dump(), key, 1);
    EXPECT_FALSE(v.decision) << field;
    EXPECT_NE(v.error.find("signature does not match"), std::string::npos) << field << ": " << v.error;
  }
  json bad_sig = json::parse(text);
  bad_sig["sig"] = std::string(64, '0');
  EXPECT_FALSE(decode_verified(bad_sig.dump(), key, 1).decision);
  bad_sig["sig"] = "00";
  EXPECT_FALSE(decode_verified(bad_sig.dump(), key, 1).decision);

  for (const char* junk : {"", "not json", "[]", R"({"id":"1","command":"ls","decision":"maybe","sig":"00"})"})
    EXPECT_FALSE(decode_verified(junk, key, 1).decision) << junk;
  EXPECT_THROW(session_approval_key("", "uid"), std::invalid_argument);
  EXPECT_THROW(encode_signed(kDecision, "", 1), std::invalid_argument);
}

}  // namespace
}  // namespace droid::contract
