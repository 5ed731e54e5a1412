#include "receive_pack.h"

#include <algorithm>
#include <utility>

#include "pkt_line.h"

namespace droid::egress {
namespace {

bool is_object_id(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_zero_id(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

// git check-ref-format's rules that matter here: under refs/, no control characters,
// spaces, "..", "@{", "//", and none of ~^:?*[\ .
bool is_ref_name(std::string_view ref) {
  if (!ref.starts_with("refs/") || ref.size() <= 5 || ref.ends_with("/") || ref.ends_with(".") ||
      ref.ends_with(".lock"))
    return false;
  if (ref.find("..") != std::string_view::npos || ref.find("@{") != std::string_view::npos ||
      ref.find("//") != std::string_view::npos || ref.find("/.") != std::string_view::npos)
    return false;
  return std::none_of(ref.begin(), ref.end(), [](unsigned char c) {
    return c < 0x21 || c == 0x7f || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '[' || c == '\\';
  });
}

}  // namespace

RefUpdateParser::State RefUpdateParser::fail(std::string why) {
  error_ = std::move(why);
  buffer_.clear();
  return state_ = State::Error;
}

RefUpdateParser::State RefUpdateParser::feed(std::string_view bytes) {
  if (state_ != State::NeedMore) return state_;
  const std::size_t room = limits_.max_prefix_bytes - taken_ - buffer_.size();
  buffer_.append(bytes.substr(0, room + 4));  // a little past the limit shows the line is too long
  return parse();
}

RefUpdateParser::State RefUpdateParser::finish() {
  if (state_ == State::NeedMore) return fail("the request body ends before the command list is complete (truncated)");
  return state_;
}

RefUpdateParser::State RefUpdateParser::parse() {
  std::string_view rest(buffer_);
  while (true) {
    Pkt pkt;
    std::size_t used = 0;
    std::string why;
    const PktStatus status = read_pkt(rest, pkt, used, why);
    if (status == PktStatus::Malformed) return fail("malformed pkt-line in the push: " + why);
    if (status == PktStatus::NeedMore) {
      if (taken_ + buffer_.size() >= limits_.max_prefix_bytes)
        return fail("the push's command list is longer than " + std::to_string(limits_.max_prefix_bytes) + " bytes");
      buffer_.erase(0, buffer_.size() - rest.size());
      return state_;
    }
    taken_ += used;
    if (taken_ > limits_.max_prefix_bytes)
      return fail("the push's command list is longer than " + std::to_string(limits_.max_prefix_bytes) + " bytes");
    rest.remove_prefix(used);
    if (pkt.kind == PktKind::Flush) {  // a flush before any command: git's probe, updating nothing
      buffer_.clear();
      return state_ = State::Done;
    }
    if (pkt.kind != PktKind::Data) return fail("unexpected delimiter pkt-line in the push's command list");
    std::string_view line = pkt.payload;
    if (!seen_command_ && line.starts_with("shallow ")) {
      if (!is_object_id(line.substr(8, line.ends_with('\n') ? line.size() - 9 : std::string_view::npos)))
        return fail("malformed shallow line in the push");
      continue;
    }
    if (!seen_command_) {
      const auto nul = line.find('\0');
      if (nul == std::string_view::npos) return fail("the push's first command has no capability list");
      if (line.starts_with("push-cert"))
        return fail("signed pushes (push-cert) are not accepted by the egress gateway");
      line = line.substr(0, nul);
    } else if (line.find('\0') != std::string_view::npos) {
      return fail("a NUL byte in a later command of the push");
    }
    if (line.ends_with('\n')) line.remove_suffix(1);
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return fail("malformed command in the push (want \"old new ref\")");
    RefUpdate update{std::string(line.substr(0, sp1)), std::string(line.substr(sp1 + 1, sp2 - sp1 - 1)),
                     std::string(line.substr(sp2 + 1))};
    if (!is_object_id(update.old_id) || !is_object_id(update.new_id) || update.old_id.size() != update.new_id.size())
      return fail("malformed object id in a command of the push");
    if (!is_ref_name(update.ref)) return fail("malformed ref name in a command of the push");
    if (updates_.size() >= limits_.max_commands)
      return fail("the push updates more than " + std::to_string(limits_.max_commands) + " refs");
    updates_.push_back(std::move(update));
    seen_command_ = true;
  }
}

std::string check_push(const std::vector<RefUpdate>& updates, const std::string& push_branch) {
  if (push_branch.empty()) return "the session has no push branch (output.pushBranch)";
  const std::string allowed = "refs/heads/" + push_branch;
  for (const auto& u : updates) {
    if (u.ref != allowed) return "push to " + u.ref + " refused: the session may push only " + allowed;
    if (is_zero_id(u.new_id)) return "push deleting " + u.ref + " refused";
  }
  return "";
}

}  // namespace droid::egress
