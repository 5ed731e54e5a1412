// Starts and stops the controllers as leadership comes and goes, on a thread of
// its own: the leader elector's callbacks only record what is wanted (set()),
// so the elector never waits for running reconciles to finish, and a lease lost
// during an API server outage does not stall the next election. The last
// wanted state wins: leading-lost-leading in quick succession ends leading.
// shut_down() stops the controllers if they run and joins the thread.
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace droid::op {

class ControllerSwitch {
 public:
  ControllerSwitch(std::function<void()> start, std::function<void()> stop);
  ~ControllerSwitch();  // shut_down()
  ControllerSwitch(const ControllerSwitch&) = delete;
  ControllerSwitch& operator=(const ControllerSwitch&) = delete;

  void set(bool leading);
  void shut_down();
  // Whether the controllers run now (not what is wanted).
  bool running() const;
  int starts() const;  // how many times start ran (tests, logs)

 private:
  void run();

  std::function<void()> start_;
  std::function<void()> stop_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool running_ = false;
  bool done_ = false;
  int starts_ = 0;
  std::thread thread_;
};

}  // namespace droid::op
