#include "app/controller_switch.h"

namespace droid::op {

ControllerSwitch::ControllerSwitch(std::function<void()> start, std::function<void()> stop)
    : start_(std::move(start)), stop_(std::move(stop)), thread_([this] { run(); }) {}

ControllerSwitch::~ControllerSwitch() { shut_down(); }

void ControllerSwitch::set(bool leading) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wanted_ = leading;
  }
  cv_.notify_all();
}

void ControllerSwitch::shut_down() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_ && !thread_.joinable()) return;
    done_ = true;
    wanted_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ControllerSwitch::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

int ControllerSwitch::starts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return starts_;
}

void ControllerSwitch::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return done_ || wanted_ != running_; });
    if (wanted_ != running_) {
      const bool start = wanted_;
      lock.unlock();
      if (start)
        start_();
      else
        stop_();
      lock.lock();
      running_ = start;
      if (start) ++starts_;
      continue;  // look again: the wish may have changed meanwhile
    }
    if (done_) return;
  }
}

}  // namespace droid::op
