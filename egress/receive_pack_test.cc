#include "receive_pack.h"

#include <gtest/gtest.h>

#include "pkt_line.h"

namespace droid::egress {
namespace {

const std::string kOld(40, 'a');
const std::string kNew(40, 'b');
const std::string kZero(40, '0');

std::string command(const std::string& ref, bool first, const std::string& next = kNew) {
  std::string line = kOld + " " + next + " " + ref;
  if (first) line += std::string("\0report-status side-band-64k object-format=sha1 agent=git/2.39", 51);
  return encode_pkt(line + "\n");
}

std::string push_body(const std::vector<std::string>& refs) {
  std::string body;
  for (std::size_t i = 0; i < refs.size(); ++i) body += command(refs[i], i == 0);
  return body + "0000" + "PACK\x00\x00\x00\x02 binary pack data";
}

RefUpdateParser::State parse_all(RefUpdateParser& p, const std::string& body) { return p.feed(body); }

TEST(PktLine, ReadsDataAndSpecialPackets) {
  Pkt pkt;
  std::size_t used = 0;
  std::string error;
  ASSERT_EQ(read_pkt("0009hello0000", pkt, used, error), PktStatus::Ok);
  EXPECT_EQ(pkt.payload, "hello");
  EXPECT_EQ(used, 9u);
  ASSERT_EQ(read_pkt("0000", pkt, used, error), PktStatus::Ok);
  EXPECT_EQ(pkt.kind, PktKind::Flush);
  EXPECT_EQ(read_pkt("000", pkt, used, error), PktStatus::NeedMore);
  EXPECT_EQ(read_pkt("0009hel", pkt, used, error), PktStatus::NeedMore);
  EXPECT_EQ(read_pkt("zz09hello", pkt, used, error), PktStatus::Malformed);
  EXPECT_EQ(read_pkt("0004", pkt, used, error), PktStatus::Malformed);  // empty data line
  EXPECT_EQ(read_pkt("0003", pkt, used, error), PktStatus::Malformed);
  EXPECT_EQ(read_pkt("fff1", pkt, used, error), PktStatus::Malformed);  // above 65520
  EXPECT_EQ(encode_pkt("hello"), "0009hello");
}

TEST(ReceivePack, ParsesCommandsAndAllowsOnlyThePushBranch) {
  RefUpdateParser p;
  ASSERT_EQ(parse_all(p, push_body({"refs/heads/droid/fix"})), RefUpdateParser::State::Done) << p.error();
  ASSERT_EQ(p.updates().size(), 1u);
  EXPECT_EQ(p.updates()[0].ref, "refs/heads/droid/fix");
  EXPECT_EQ(p.updates()[0].old_id, kOld);
  EXPECT_EQ(check_push(p.updates(), "droid/fix"), "");
  EXPECT_NE(check_push(p.updates(), "main"), "");
  EXPECT_NE(check_push(p.updates(), ""), "");
}

TEST(ReceivePack, OneForeignRefAmongSeveralRefusesThePush) {
  RefUpdateParser p;
  ASSERT_EQ(parse_all(p, push_body({"refs/heads/droid/fix", "refs/heads/main"})), RefUpdateParser::State::Done);
  const std::string why = check_push(p.updates(), "droid/fix");
  EXPECT_NE(why.find("refs/heads/main"), std::string::npos) << why;
  RefUpdateParser tags;
  ASSERT_EQ(parse_all(tags, push_body({"refs/tags/v1"})), RefUpdateParser::State::Done);
  EXPECT_NE(check_push(tags.updates(), "droid/fix"), "");
}

TEST(ReceivePack, DeletingTheBranchIsRefused) {
  RefUpdateParser p;
  const std::string body = command("refs/heads/droid/fix", true, kZero) + "0000";
  ASSERT_EQ(parse_all(p, body), RefUpdateParser::State::Done);
  EXPECT_NE(check_push(p.updates(), "droid/fix").find("deleting"), std::string::npos);
}

TEST(ReceivePack, ByteByByteFeedingGivesTheSameAnswer) {
  const std::string body = push_body({"refs/heads/droid/fix", "refs/heads/droid/fix"});
  RefUpdateParser p;
  RefUpdateParser::State state = RefUpdateParser::State::NeedMore;
  std::size_t fed = 0;
  while (state == RefUpdateParser::State::NeedMore && fed < body.size()) state = p.feed(body.substr(fed++, 1));
  ASSERT_EQ(state, RefUpdateParser::State::Done);
  EXPECT_EQ(p.updates().size(), 2u);
  EXPECT_EQ(body.substr(fed, 4), "PACK");  // decided at the flush, before the pack
}

TEST(ReceivePack, ShallowLinesAndTheProbeAreAccepted) {
  RefUpdateParser p;
  const std::string body = encode_pkt("shallow " + kOld + "\n") + command("refs/heads/x", true) + "0000";
  ASSERT_EQ(parse_all(p, body), RefUpdateParser::State::Done) << p.error();
  EXPECT_EQ(p.updates().size(), 1u);
  RefUpdateParser probe;  // git's probe of a large push: a lone flush, updating nothing
  ASSERT_EQ(probe.feed("0000"), RefUpdateParser::State::Done);
  EXPECT_EQ(check_push(probe.updates(), "x"), "");
}

TEST(ReceivePack, MalformedInputIsAnErrorNamingTheProblem) {
  const std::string caps("\0report-status", 14);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"zzzz", "malformed pkt-line"},
      {"0003", "out of range"},
      {encode_pkt(kOld + " " + kNew + " refs/heads/x\n") + "0000", "capability list"},
      {encode_pkt(kOld + " " + kNew + caps), "malformed command"},
      {encode_pkt("xyz " + kNew + " refs/heads/x" + caps), "object id"},
      {encode_pkt(kOld + " " + std::string(64, 'b') + " refs/heads/x" + caps), "object id"},
      {encode_pkt(kOld + " " + kNew + " refs/heads/../x" + caps), "ref name"},
      {encode_pkt(kOld + " " + kNew + " HEAD" + caps), "ref name"},
      {encode_pkt(kOld + " " + kNew + " refs/heads/a b" + caps), "ref name"},
      {encode_pkt(kOld + " " + kNew + " refs/heads/x" + caps) + "0001", "delimiter"},
      {command("refs/heads/x", true) + encode_pkt(kOld + " " + kNew + " refs/heads/y" + caps), "NUL"},
      {encode_pkt(std::string("push-cert") + caps), "signed pushes"},
      {encode_pkt("shallow nothex\n"), "shallow"},
  };
  for (const auto& [body, expected] : cases) {
    RefUpdateParser p;
    EXPECT_EQ(p.feed(body), RefUpdateParser::State::Error) << expected;
    EXPECT_NE(p.error().find(expected), std::string::npos) << p.error() << " / want " << expected;
    EXPECT_EQ(p.feed(push_body({"refs/heads/x"})), RefUpdateParser::State::Error);  // stays refused
  }
}

TEST(ReceivePack, TruncatedBodiesAreErrors) {
  const std::string body = push_body({"refs/heads/x"});
  const std::size_t flush = body.find("0000PACK");
  for (std::size_t cut : {std::size_t{0}, std::size_t{2}, std::size_t{10}, flush}) {
    RefUpdateParser p;
    EXPECT_EQ(p.feed(body.substr(0, cut)), RefUpdateParser::State::NeedMore);
    EXPECT_EQ(p.finish(), RefUpdateParser::State::Error) << cut;
    EXPECT_NE(p.error().find("truncated"), std::string::npos);
  }
}

TEST(ReceivePack, OversizedCommandListsAreRefused) {
  RefUpdateParser many(ReceivePackLimits{64 * 1024, 3});
  EXPECT_EQ(many.feed(push_body({"refs/heads/a", "refs/heads/b", "refs/heads/c", "refs/heads/d"})),
            RefUpdateParser::State::Error);
  EXPECT_NE(many.error().find("more than 3 refs"), std::string::npos) << many.error();

  RefUpdateParser big(ReceivePackLimits{1024, 256});
  std::string body = command("refs/heads/a", true);
  while (body.size() < 4096) body += command("refs/heads/a", false);
  EXPECT_EQ(big.feed(body), RefUpdateParser::State::Error);
  EXPECT_NE(big.error().find("longer than 1024"), std::string::npos) << big.error();

  // An endless stream of bytes never buffers more than the limit.
  RefUpdateParser endless(ReceivePackLimits{1024, 256});
  std::string long_line = "ffff" + std::string(0xffff - 4, 'a');
  EXPECT_EQ(endless.feed(long_line.substr(0, 2000)), RefUpdateParser::State::Error);
}

TEST(ReceivePack, Sha256ObjectIds) {
  RefUpdateParser p;
  const std::string line =
      std::string(64, 'a') + " " + std::string(64, 'c') + " refs/heads/x" + std::string("\0object-format=sha256", 22);
  ASSERT_EQ(p.feed(encode_pkt(line) + "0000"), RefUpdateParser::State::Done) << p.error();
  EXPECT_EQ(check_push(p.updates(), "x"), "");
}

}  // namespace
}  // namespace droid::egress
