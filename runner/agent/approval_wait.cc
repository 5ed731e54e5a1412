#include "agent/approval_wait.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

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

std::optional<ApprovalDecision> parse_approval_decision(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  ApprovalDecision d;
  d.id = string_field(j, "id");
  d.command = string_field(j, "command");
  const std::string decision = string_field(j, "decision");
  if (d.id.empty() || d.command.empty() || (decision != "approved" && decision != "rejected")) return std::nullopt;
  d.approved = decision == "approved";
  d.by = string_field(j, "by");
  d.at = string_field(j, "at");
  d.reason = string_field(j, "reason");
  return d;
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
  while (true) {
    if (options_.stop != nullptr && options_.stop->load()) {
      answer.verdict = ApprovalVerdict::Stopped;
      break;
    }
    if (auto d = parse_approval_decision(read_all(options_.decision_file));
        d && d->id == request.id && d->command == request.command) {
      answer.verdict = d->approved ? ApprovalVerdict::Approved : ApprovalVerdict::Rejected;
      answer.by = d->by;
      answer.at = d->at;
      answer.reason = d->reason;
      break;
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
