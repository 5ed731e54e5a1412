#include "agent/approval_wait.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "contract/approval_decision.h"

namespace droid::runner::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written whole or not at all: the probe never sees half a request.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

std::string string_field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A document that claims to decide `request` (its id and command), signed or not.
bool names_request(const std::string& text, const ApprovalRequest& request) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && string_field(j, "id") == request.id && string_field(j, "command") == request.command;
}

}  // namespace

json ApprovalRequest::to_json() const {
  return {{"id", id}, {"command", command}, {"risk", risk}, {"reasons", reasons}};
}

const char* to_string(ApprovalVerdict verdict) {
  switch (verdict) {
    case ApprovalVerdict::Approved: return "approved";
    case ApprovalVerdict::Rejected: return "rejected";
    case ApprovalVerdict::Expired: return "expired";
    case ApprovalVerdict::Stopped: return "stopped";
  }
  return "?";
}

FileApprovalChannel::FileApprovalChannel(FileChannelOptions options) : options_(std::move(options)) {}

std::string FileApprovalChannel::waiting_file(const std::string& state_dir) {
  return (fs::path(state_dir) / "waiting").string();
}

ApprovalAnswer FileApprovalChannel::wait(const ApprovalRequest& request, Clock::time_point deadline) {
  const auto started = Clock::now();
  fs::create_directories(options_.state_dir);
  const fs::path marker = waiting_file(options_.state_dir);
  write_atomically(marker, request.to_json().dump());
  ApprovalAnswer answer;
  answer.verdict = ApprovalVerdict::Expired;
  std::string refused;  // the last decision document refused
  while (true) {
    if (options_.stop != nullptr && options_.stop->load()) {
      answer.verdict = ApprovalVerdict::Stopped;
      break;
    }
    if (const std::string text = read_all(options_.decision_file); !text.empty() && text != refused) {
      const contract::VerifiedDecision v = contract::decode_verified(text, options_.key, options_.run_attempt);
      if (v.decision && v.decision->id == request.id && v.decision->command == request.command) {
        answer.verdict = v.decision->approved ? ApprovalVerdict::Approved : ApprovalVerdict::Rejected;
        answer.by = v.decision->by;
        answer.at = v.decision->at;
        answer.reason = v.decision->reason;
        break;
      }
      if (!v.decision && names_request(text, request)) {
        refused = text;  // reported once, not on every poll
        if (options_.on_refused) options_.on_refused(v.error);
        if (request.on_refused) request.on_refused(v.error);
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(options_.poll, deadline - now));
  }
  std::error_code ec;
  fs::remove(marker, ec);
  answer.waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return answer;
}

std::string approval_state_dir(const std::string& private_dir) { return (fs::path(private_dir) / "approval").string(); }

int approval_probe(const std::string& state_dir) {
  std::error_code ec;
  return fs::exists(FileApprovalChannel::waiting_file(state_dir), ec) ? 0 : 1;
}

}  // namespace droid::runner::agent
