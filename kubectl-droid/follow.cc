#include "follow.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <thread>

#include "errors.h"
#include "exit_codes.h"
#include "kube/error.h"
#include "kube/stream.h"
#include "kube/watch.h"
#include "render.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string clock_prefix() {
  const std::string t = rfc3339(std::chrono::system_clock::now());
  return "[" + t.substr(11, 8) + "] ";
}

// Streams one pod's log on its own thread until the log ends or stop().
class LogFollower {
 public:
  LogFollower(kube::Client& client, std::string ns, std::string pod, Output& out)
      : client_(client), ns_(std::move(ns)), pod_(std::move(pod)), out_(out) {
    thread_ = std::thread([this] { run(); });
  }
  ~LogFollower() { stop(); }
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  const std::string& pod() const { return pod_; }

  // Lets the stream end by itself (the pod has finished) for up to `grace`, then stops it.
  void finish(std::chrono::milliseconds grace) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, grace, [this] { return ended_; });
    }
    stop();
  }

  void stop() {
    cancel_.cancel();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    const std::string path =
        kube::kPods.path(ns_, pod_, "log") + kube::query_string({{"follow", "true"}, {"container", "runner"}});
    while (!cancel_.cancelled()) {
      try {
        kube::stream_get(
            client_, path, [this](std::string_view bytes) { out_.log(bytes); }, cancel_);
        break;  // the log ended: the container has stopped
      } catch (const kube::ApiError& e) {
        // 404: the pod does not exist yet; 400: its container has not started.
        if (e.code() != 404 && e.code() != 400) {
          out_.progress(clock_prefix() + "cannot follow the log of pod " + pod_ + ": " + e.status_message() + "\n");
          break;
        }
      } catch (const kube::TransportError& e) {
        out_.progress(clock_prefix() + "log of pod " + pod_ + " interrupted: " + e.what() + "\n");
      }
      // Soon again: the first records (the runner's start) should reach the live view
      // within its time-order window (Output).
      if (cancel_.wait_for(250ms)) break;
    }
    {
      std::lock_guard lock(mu_);
      ended_ = true;
    }
    cv_.notify_all();
  }

  kube::Client& client_;
  std::string ns_;
  std::string pod_;
  Output& out_;
  kube::CancelToken cancel_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool ended_ = false;
  std::thread thread_;
};

class Follower {
 public:
  Follower(kube::Client& client, const Context& context, std::string name, const FollowOptions& options, Output& out)
      : client_(client), context_(context), name_(std::move(name)), options_(options), out_(out) {}

  FollowResult run() {
    std::thread timer;
    std::atomic<bool> timed_out{false};
    kube::CancelToken timer_cancel;
    if (options_.wait_timeout) {
      timer = std::thread([&] {
        if (!timer_cancel.wait_for(*options_.wait_timeout)) {
          timed_out = true;
          cancel_.cancel();
        }
      });
    }
    try {
      loop();
    } catch (...) {
      timer_cancel.cancel();
      if (timer.joinable()) timer.join();
      if (logs_) logs_->stop();
      throw;
    }
    timer_cancel.cancel();
    if (timer.joinable()) timer.join();
    if (timed_out && !done_) result_.end = FollowResult::End::WaitTimeout;
    if (logs_) {
      // The runner has ended before the operator wrote the final phase: its log
      // is complete or about to be; let it drain.
      if (result_.end == FollowResult::End::Finished) {
        logs_->finish(5s);
      } else {
        logs_->stop();
      }
    }
    return result_;
  }

 private:
  const Operation get_op() const { return {"get", "droidsessions.droid.dev", context_.namespace_name, name_}; }

  void loop() {
    json session =
        guarded(get_op(), context_, [&] { return client_.get(kube::kDroidSessions, context_.namespace_name, name_); });
    handle(session);
    std::string rv = session["metadata"].value("resourceVersion", "");
    while (!done_ && !cancel_.cancelled()) {
      kube::WatchOptions w;
      w.namespace_name = context_.namespace_name;
      w.field_selector = "metadata.name=" + name_;
      w.resource_version = rv;
      w.timeout = 120s;
      const Operation watch_op{"watch", "droidsessions.droid.dev", context_.namespace_name, name_};
      const auto result = guarded(watch_op, context_, [&] {
        return kube::watch(
            client_, kube::kDroidSessions, w,
            [&](const kube::WatchEvent& event) {
              if (done_) return;
              if (event.type == kube::WatchEvent::Type::Deleted)
                throw CommandError("session " + name_ + " was deleted while waiting for it", kExitError);
              if (event.type == kube::WatchEvent::Type::Added || event.type == kube::WatchEvent::Type::Modified)
                handle(event.object);
              if (done_) cancel_.cancel();
            },
            cancel_);
      });
      if (result.end == kube::WatchResult::End::Expired) {
        session = guarded(get_op(), context_,
                          [&] { return client_.get(kube::kDroidSessions, context_.namespace_name, name_); });
        handle(session);
        rv = session["metadata"].value("resourceVersion", "");
      } else {
        rv = result.resource_version;
      }
    }
  }

  void handle(const json& session) {
    result_.session = session;
    const json status = session.value("status", json::object());
    const std::string phase = status.value("phase", "");
    const std::string line = phase_line(session);
    if (!phase.empty() && line != last_line_) {
      out_.progress(clock_prefix() + line + "\n");
      last_line_ = line;
    }
    const std::string pod = status.value("podName", "");
    if (options_.logs && !pod.empty() && !is_terminal_phase(phase) && (!logs_ || logs_->pod() != pod)) {
      if (logs_) logs_->stop();
      out_.progress(clock_prefix() + "following the log of pod " + pod + "\n");
      logs_ = std::make_unique<LogFollower>(client_, context_.namespace_name, pod, out_);
    }
    if (phase == "AwaitingApproval") {
      const json pending = status.value("pendingApproval", json::object());
      const std::string command = pending.value("command", "");
      if (!command.empty() && command != last_pending_) {
        last_pending_ = command;
        const bool in_place = pending.value("inPlace", false);
        std::string text = clock_prefix() + "waiting for approval: " + command +
                           " (approve with: " + approve_command_line(name_, context_.namespace_name, command) + ")\n";
        if (pending.contains("risk")) text += "  risk: " + pending.value("risk", "") + "\n";
        for (const auto& r : pending.value("reasons", json::array()))
          text += "  reason: " + r.get<std::string>() + "\n";
        text += "  reject with: " + reject_command_line(name_, context_.namespace_name) + "\n";
        text += in_place ? "  the runner waits in place" +
                               (pending.contains("waitUntil") ? " until " + pending.value("waitUntil", "") : "") +
                               " (same pod, workspace and conversation)\n"
                         : "  the run has ended; an approval starts a new run\n";
        out_.progress(text);
      }
      if (!options_.wait_approval) {
        result_.end = FollowResult::End::AwaitingApproval;
        done_ = true;
      }
    } else {
      last_pending_.clear();
    }
    if (is_terminal_phase(phase)) {
      result_.end = FollowResult::End::Finished;
      done_ = true;
    }
  }

  kube::Client& client_;
  const Context& context_;
  std::string name_;
  const FollowOptions& options_;
  Output& out_;
  kube::CancelToken cancel_;
  std::unique_ptr<LogFollower> logs_;
  std::string last_line_;
  std::string last_pending_;
  bool done_ = false;
  FollowResult result_;
};

}  // namespace

Output::Output(std::ostream& progress, std::ostream& logs, bool raw, std::chrono::milliseconds time_order)
    : progress_(progress), logs_(logs), raw_(raw) {
  if (time_order.count() > 0 && &progress == &logs) {
    order_.emplace(time_order);
    releaser_ = std::thread([this] { release_loop(); });
  }
}

void Output::release_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, 100ms);
    const std::string ready = order_->take_ready(std::chrono::system_clock::now());
    if (!ready.empty()) progress_ << ready << std::flush;
  }
}

void Output::drain() {
  std::lock_guard lock(mu_);
  if (order_ && !order_->empty()) progress_ << order_->take_all() << std::flush;
}

void Output::progress(const std::string& text) {
  std::lock_guard lock(mu_);
  if (order_) {
    order_->add(std::chrono::system_clock::now(), text);
    return;
  }
  if (log_line_open_) {
    logs_ << "\n";
    logs_.flush();
    log_line_open_ = false;
  }
  progress_ << text;
  progress_.flush();
}

Output::~Output() {
  if (releaser_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    releaser_.join();
  }
  drain();
  // Raw without time order wrote the unterminated line already.
  if (order_ || !raw_) {
    const std::string rest = text_.flush(raw_);
    if (!rest.empty()) logs_ << rest << std::flush;
  }
}

void Output::log(std::string_view bytes) {
  if (bytes.empty()) return;
  std::lock_guard lock(mu_);
  if (order_) {
    // A record is placed by when it was written, never later than now (a clock ahead
    // would only hold it back).
    const auto now = std::chrono::system_clock::now();
    for (auto& line : text_.feed_lines(bytes, raw_))
      order_->add(std::min(line.time.value_or(now), now), std::move(line.text));
    return;
  }
  if (raw_) {
    logs_ << bytes;
    log_line_open_ = bytes.back() != '\n';
  } else {
    logs_ << text_.feed(bytes);
  }
  logs_.flush();
}

FollowResult follow_session(kube::Client& client, const Context& context, const std::string& name,
                            const FollowOptions& options, Output& out) {
  return Follower(client, context, name, options, out).run();
}

std::string reject_command_line(const std::string& name, const std::string& ns) {
  return "kubectl droid reject " + shell_quote(name) + " -n " + shell_quote(ns) + " --reason '...'";
}

std::string approve_command_line(const std::string& name, const std::string& ns, const std::string& command) {
  return "kubectl droid approve " + shell_quote(name) + " -n " + shell_quote(ns) + " --command " + shell_quote(command);
}

}  // namespace droid::kubectl
