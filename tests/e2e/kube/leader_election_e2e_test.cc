// Lease leader election (libdroid/kube/leader_election.h) against a real
// kube-apiserver, with short durations (lease 3 s, renew deadline 2 s, retry
// 500 ms): exactly one of two candidates leads; stop() releases the lease and the
// other takes over at once (with a 10 s lease, to tell that from expiry); a holder
// that dies without releasing is replaced after the lease duration and not before;
// a live holder is never displaced; a leader whose lease is taken stops leading; a
// leader cut off from the API server stops leading once the renew deadline has
// passed. KUBECONFIG is required. Each run works in its own namespace, deleted at
// the end.
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kube/leader_election.h"

namespace droid::kube {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string kubeconfig_path() {
  const char* kc = std::getenv("KUBECONFIG");  // NOLINT(concurrency-mt-unsafe)
  return kc == nullptr ? "" : kc;
}

// Polls `done` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// Checks `invariant` every 20 ms for `duration`; false (and where) as soon as it fails.
::testing::AssertionResult always_for(std::chrono::milliseconds duration, const std::function<bool()>& invariant) {
  const auto start = SteadyClock::now();
  while (SteadyClock::now() - start < duration) {
    if (!invariant()) {
      return ::testing::AssertionFailure()
             << "invariant broken after "
             << std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count() << " ms";
    }
    std::this_thread::sleep_for(20ms);
  }
  return ::testing::AssertionSuccess();
}

// Counts the callbacks of one elector (they run on its thread).
struct Calls {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  WallClock::time_point stopped_at;

  WallClock::time_point last_stopped_at() {
    const std::lock_guard lock(mu);
    return stopped_at;
  }

  std::vector<std::string> new_leaders() {
    const std::lock_guard lock(mu);
    return leaders;
  }
};

LeaderElectionConfig short_config(const std::string& ns, const std::string& lease, const std::string& identity,
                                  Calls& calls) {
  LeaderElectionConfig c;
  c.lease_namespace = ns;
  c.lease_name = lease;
  c.identity = identity;
  c.lease_duration = 3s;
  c.renew_deadline = 2s;
  c.retry_period = 500ms;
  c.on_started_leading = [&calls] { ++calls.started; };
  c.on_stopped_leading = [&calls] {
    {
      const std::lock_guard lock(calls.mu);
      calls.stopped_at = WallClock::now();
    }
    ++calls.stopped;
  };
  c.on_new_leader = [&calls](const std::string& id) {
    const std::lock_guard lock(calls.mu);
    calls.leaders.push_back(id);
  };
  return c;
}

// A TCP relay between the electors and the API server that the test can cut:
// the network failure of a real deployment, with the real server behind it.
class Relay {
 public:
  Relay(std::string host, int port) : host_(std::move(host)), port_(port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("relay: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    local_port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~Relay() {
    cut();
    if (accept_thread_.joinable()) accept_thread_.join();
    for (auto& t : pumps_) t.join();
    for (const int fd : fds_) ::close(fd);
    ::close(listen_fd_);
  }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  int port() const { return local_port_; }
  // Closes every relayed connection and refuses new ones.
  void cut() {
    cut_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    const std::lock_guard lock(mu_);
    for (const int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  int connect_upstream() const {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res) != 0) return -1;
    int fd = -1;
    for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
      fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
      if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        ::close(fd);
        fd = -1;
      }
    }
    ::freeaddrinfo(res);
    return fd;
  }

  void accept_loop() {
    while (!cut_) {
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;
      const int upstream = connect_upstream();
      if (upstream < 0 || cut_) {
        ::close(client);
        if (upstream >= 0) ::close(upstream);
        continue;
      }
      const std::lock_guard lock(mu_);
      fds_.push_back(client);
      fds_.push_back(upstream);
      pumps_.emplace_back([client, upstream] { pump(client, upstream); });
    }
  }

  static void pump(int a, int b) {
    std::array<char, 16384> buf{};
    std::array<pollfd, 2> fds{pollfd{a, POLLIN, 0}, pollfd{b, POLLIN, 0}};
    while (::poll(fds.data(), fds.size(), -1) > 0) {
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
        if (n <= 0 || ::send(fds[1 - i].fd, buf.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) done = true;
      }
      if (done) break;
    }
    ::shutdown(a, SHUT_RDWR);
    ::shutdown(b, SHUT_RDWR);
  }

  std::string host_;
  int port_;
  int listen_fd_ = -1;
  int local_port_ = 0;
  std::atomic<bool> cut_{false};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
  std::thread accept_thread_;
};

class LeaderElectionE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string kc = kubeconfig_path();
    if (kc.empty()) return;  // every test fails in SetUp with a clear message
    admin_ = new Client(load_kubeconfig(kc));
    ns_ = "leader-e2e-" + std::to_string(::getpid());
    admin_->create(kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
  }
  static void TearDownTestSuite() {
    if (admin_ == nullptr) return;
    try {
      admin_->remove(kNamespaces, "", ns_);
    } catch (const std::exception& e) {
      std::cerr << "could not delete namespace " << ns_ << ": " << e.what() << "\n";
    }
    delete admin_;
    admin_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(kubeconfig_path().empty()) << "KUBECONFIG is not set: these tests need a real API server "
                                               "(export KUBECONFIG=$(scripts/cluster/up.sh))";
    ASSERT_NE(admin_, nullptr);
  }
  static std::unique_ptr<Client> new_client() { return std::make_unique<Client>(load_kubeconfig(kubeconfig_path())); }
  static json lease(const std::string& name) { return admin_->get(kLeases, ns_, name); }
  static LeaseRecord record(const std::string& name) { return lease_record_from_spec(lease(name)["spec"]); }

  static Client* admin_;
  static std::string ns_;
};

Client* LeaderElectionE2E::admin_ = nullptr;
std::string LeaderElectionE2E::ns_;

TEST_F(LeaderElectionE2E, ExactlyOneOfTwoCandidatesLeadsAndRenews) {
  auto client_a = new_client();
  auto client_b = new_client();
  Calls calls_a;
  Calls calls_b;
  LeaderElector a(*client_a, short_config(ns_, "one-leader", "candidate-a", calls_a));
  LeaderElector b(*client_b, short_config(ns_, "one-leader", "candidate-b", calls_b));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader() || b.is_leader(); }, 10s)) << "nobody leads";
  LeaderElector& leader = a.is_leader() ? a : b;
  LeaderElector& follower = a.is_leader() ? b : a;
  const std::string leader_id = leader.config().identity;
  Calls& leader_calls = a.is_leader() ? calls_a : calls_b;
  Calls& follower_calls = a.is_leader() ? calls_b : calls_a;

  // Two full lease durations: never two leaders, never a change of leader.
  EXPECT_TRUE(always_for(6s, [&] { return leader.is_leader() && !follower.is_leader(); }));
  EXPECT_EQ(leader_calls.started, 1);
  EXPECT_EQ(leader_calls.stopped, 0);
  EXPECT_EQ(follower_calls.started, 0);
  EXPECT_EQ(follower.leader(), leader_id);
  EXPECT_EQ(leader.leader(), leader_id);
  EXPECT_EQ(leader_calls.new_leaders(), std::vector<std::string>{leader_id});
  EXPECT_EQ(follower_calls.new_leaders(), std::vector<std::string>{leader_id});

  // The Lease as written: holder, duration in seconds, MicroTime stamps, renewed every retry period.
  const json first = lease("one-leader");
  const std::regex micro_time(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_EQ(first["spec"]["holderIdentity"], leader_id);
  EXPECT_EQ(first["spec"]["leaseDurationSeconds"], 3);
  EXPECT_TRUE(std::regex_match(first["spec"]["renewTime"].get<std::string>(), micro_time)) << first["spec"];
  EXPECT_TRUE(std::regex_match(first["spec"]["acquireTime"].get<std::string>(), micro_time)) << first["spec"];
  const LeaseRecord r1 = lease_record_from_spec(first["spec"]);
  ASSERT_TRUE(eventually([&] { return record("one-leader").renew_time > r1.renew_time; }, 3s)) << "not renewed";
  const LeaseRecord r2 = record("one-leader");
  EXPECT_EQ(r2.acquire_time, r1.acquire_time);  // renewals keep the acquire time
  EXPECT_EQ(r2.lease_transitions, r1.lease_transitions);
  a.stop();
  b.stop();
}

TEST_F(LeaderElectionE2E, StopReleasesTheLeaseAndTheOtherTakesOverAtOnce) {
  auto client_a = new_client();
  auto client_b = new_client();
  Calls calls_a;
  Calls calls_b;
  // A 10 s lease: were the lease not released, b could not take over before about
  // 9.5 s after the stop (a's last renewal is at most one retry period older).
  auto ten_seconds = [](LeaderElectionConfig c) {
    c.lease_duration = 10s;
    c.renew_deadline = 5s;
    return c;
  };
  LeaderElector a(*client_a, ten_seconds(short_config(ns_, "release", "candidate-a", calls_a)));
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }, 10s));
  LeaderElector b(*client_b, ten_seconds(short_config(ns_, "release", "candidate-b", calls_b)));
  b.start();
  ASSERT_TRUE(eventually([&] { return b.leader() == "candidate-a"; }, 5s)) << "b never saw a's lease";
  const int transitions = record("release").lease_transitions;

  const auto stop_at = SteadyClock::now();
  a.stop();
  EXPECT_FALSE(a.is_leader());
  EXPECT_EQ(calls_a.stopped, 1);
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }, 10s));
  const auto takeover = SteadyClock::now() - stop_at;
  std::cout << "takeover after release: " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
            << " ms\n";
  // b retries every 0.5-1.1 s (jittered). Without the release it could not lead
  // before the 10 s lease ran out: a takeover inside it proves the release.
  EXPECT_LT(takeover, 10s);
  const LeaseRecord r = record("release");
  EXPECT_EQ(r.holder_identity, "candidate-b");
  EXPECT_EQ(r.lease_duration_seconds, 10);
  EXPECT_EQ(r.lease_transitions, transitions + 1);
  EXPECT_EQ(calls_b.started, 1);
  b.stop();
  // b released too: the lease is free, with client-go's released duration of 1 s.
  const LeaseRecord released = record("release");
  EXPECT_EQ(released.holder_identity, "");
  EXPECT_EQ(released.lease_duration_seconds, 1);
  EXPECT_EQ(released.lease_transitions, transitions + 1);
}

TEST_F(LeaderElectionE2E, ADeadHolderIsReplacedAfterTheLeaseDurationNotBefore) {
  auto client_a = new_client();
  auto client_b = new_client();
  Calls calls_a;
  Calls calls_b;
  LeaderElector a(*client_a, short_config(ns_, "dead-holder", "candidate-a", calls_a));
  a.start();
  ASSERT_TRUE(eventually([&] { return a.is_leader(); }, 10s));
  LeaderElector b(*client_b, short_config(ns_, "dead-holder", "candidate-b", calls_b));
  b.start();
  ASSERT_TRUE(eventually([&] { return b.leader() == "candidate-a"; }, 5s));

  a.abandon_for_test();  // like SIGKILL: no release
  const LeaseRecord last = record("dead-holder");
  ASSERT_EQ(last.holder_identity, "candidate-a") << "the abandoned lease was released";
  ASSERT_TRUE(last.renew_time.has_value());
  ASSERT_TRUE(eventually([&] { return b.is_leader(); }, 15s)) << "b never took over the dead holder's lease";
  // Same machine, same wall clock: b cannot have seen the last renewal before it was written.
  const auto after = std::chrono::system_clock::now() - *last.renew_time;
  std::cout << "takeover after the last renewal of a dead holder: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(after).count() << " ms\n";
  EXPECT_GE(after, 3s) << "taken over before the lease expired";
  // Liveness is the wait above; this only says it did not take several lease
  // durations (a loaded machine adds scheduling delay to every retry).
  EXPECT_LT(after, 3 * 3s) << "taken over much later than the lease duration";
  EXPECT_EQ(calls_a.stopped, 0);  // a crashed process gets no callback
  const LeaseRecord now = record("dead-holder");
  EXPECT_EQ(now.holder_identity, "candidate-b");
  EXPECT_EQ(now.lease_transitions, last.lease_transitions + 1);
  EXPECT_GT(now.acquire_time, last.renew_time);
  b.stop();
}

TEST_F(LeaderElectionE2E, ALiveForeignHolderIsNeverDisplacedThenItsExpiredLeaseIsTaken) {
  // Another process (played by the test) holds the lease and renews it every second.
  const auto stamp = std::chrono::system_clock::now();
  LeaseRecord foreign{.holder_identity = "other-process",
                      .lease_duration_seconds = 3,
                      .acquire_time = stamp,
                      .renew_time = stamp,
                      .lease_transitions = 5};
  json lease = admin_->create(kLeases, {{"apiVersion", "coordination.k8s.io/v1"},
                                        {"kind", "Lease"},
                                        {"metadata", {{"name", "foreign"}, {"namespace", ns_}}},
                                        {"spec", lease_record_to_spec(foreign)}});
  auto client = new_client();
  Calls calls;
  LeaderElector elector(*client, short_config(ns_, "foreign", "candidate", calls));
  elector.start();
  std::optional<std::chrono::system_clock::time_point> last_renewal;
  const auto until = SteadyClock::now() + 9s;  // three lease durations
  while (SteadyClock::now() < until) {
    std::this_thread::sleep_for(1s);
    EXPECT_FALSE(elector.is_leader()) << "the candidate displaced a live holder";
    foreign.renew_time = std::chrono::system_clock::now();
    lease["spec"] = lease_record_to_spec(foreign);
    lease = admin_->replace(kLeases, lease);  // a 409 here would mean the candidate wrote the lease
    last_renewal = foreign.renew_time;
  }
  EXPECT_EQ(elector.leader(), "other-process");
  EXPECT_EQ(calls.started, 0);
  EXPECT_EQ(calls.new_leaders(), std::vector<std::string>{"other-process"});

  // The other process dies: the candidate takes the lease once it has expired.
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }, 15s));
  const auto after = std::chrono::system_clock::now() - *last_renewal;
  std::cout << "takeover after the last renewal of a foreign holder: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(after).count() << " ms\n";
  EXPECT_GE(after, 3s);
  EXPECT_LT(after, 3 * 3s);
  const LeaseRecord taken = record("foreign");
  EXPECT_EQ(taken.holder_identity, "candidate");
  EXPECT_EQ(taken.lease_transitions, 6);
  EXPECT_EQ(calls.new_leaders(), (std::vector<std::string>{"other-process", "candidate"}));
  elector.stop();
}

TEST_F(LeaderElectionE2E, ALeaderWhoseLeaseIsTakenStopsLeading) {
  auto client = new_client();
  Calls calls;
  LeaderElector elector(*client, short_config(ns_, "usurped", "candidate", calls));
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }, 10s));
  // Someone overwrites the lease (e.g. an operator forcing a hand-over).
  json lease = admin_->get(kLeases, ns_, "usurped");
  const auto now = std::chrono::system_clock::now();
  lease["spec"] = lease_record_to_spec(
      {.holder_identity = "usurper", .lease_duration_seconds = 30, .acquire_time = now, .renew_time = now});
  admin_->replace(kLeases, lease);
  ASSERT_TRUE(eventually([&] { return calls.stopped == 1; }, 5s)) << "still leading a lease held by someone else";
  EXPECT_FALSE(elector.is_leader());
  EXPECT_EQ(elector.leader(), "usurper");
  EXPECT_TRUE(always_for(2s, [&] { return !elector.is_leader(); }));
  elector.stop();
  EXPECT_EQ(calls.stopped, 1);  // no second callback, and the usurper's lease is not released by us
  EXPECT_EQ(record("usurped").holder_identity, "usurper");
}

TEST_F(LeaderElectionE2E, StopFromACallbackEndsTheElectionAndReleases) {
  auto client = new_client();
  Calls calls;
  LeaderElectionConfig config = short_config(ns_, "self-stop", "candidate", calls);
  LeaderElector* self = nullptr;
  config.on_started_leading = [&calls, &self] {
    ++calls.started;
    self->stop();  // e.g. the operator decides to shut down as soon as it leads
  };
  LeaderElector elector(*client, config);
  self = &elector;
  elector.start();
  ASSERT_TRUE(eventually([&] { return calls.stopped == 1; }, 10s)) << "stop() from a callback did not end leading";
  EXPECT_EQ(calls.started, 1);
  EXPECT_FALSE(elector.is_leader());
  EXPECT_EQ(record("self-stop").holder_identity, "");  // released
  elector.stop();                                      // joins the ended thread
}

TEST_F(LeaderElectionE2E, ALeaderCutOffFromTheApiServerStopsLeadingAfterTheRenewDeadline) {
  Config config = load_kubeconfig(kubeconfig_path());
  const std::regex server(R"(https://([^:/]+|\[[^\]]+\]):(\d+))");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(config.server, m, server)) << config.server;
  std::string host = m[1];
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  auto relay = std::make_unique<Relay>(host, std::stoi(m[2]));
  config.server = "https://127.0.0.1:" + std::to_string(relay->port());
  Client client(config, {.request_timeout = 1s});
  Calls calls;
  LeaderElector elector(client, short_config(ns_, "cut-off", "candidate", calls));
  elector.start();
  ASSERT_TRUE(eventually([&] { return elector.is_leader(); }, 10s));
  ASSERT_TRUE(always_for(1s, [&] { return elector.is_leader(); }));

  relay->cut();
  // The last renewal that reached the server, read over the test's own connection.
  const LeaseRecord last = record("cut-off");
  ASSERT_EQ(last.holder_identity, "candidate");
  ASSERT_TRUE(last.renew_time.has_value());
  ASSERT_TRUE(eventually([&] { return !elector.is_leader(); }, 5s));
  const auto not_leader = WallClock::now() - *last.renew_time;
  ASSERT_TRUE(eventually([&] { return calls.stopped == 1; }, 10s));
  const auto stopped = calls.last_stopped_at() - *last.renew_time;
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "cut off, after the last renewal: is_leader false after " << ms(not_leader)
            << " ms, on_stopped_leading after " << ms(stopped) << " ms\n";
  // is_leader() is false once the renew deadline (2 s) of the last renewal has
  // passed, and always before the 3 s lease can expire for anyone else: two
  // leaders at once is what must never happen...
  EXPECT_LT(not_leader, 3s);
  // ...and on_stopped_leading comes when a failed renewal finds the deadline passed, not
  // at the first failed renewal.
  EXPECT_GE(stopped, 2s - 5ms);
  EXPECT_LT(stopped, 2s + 2 * 1s + 2s);  // at most one more attempt (two 1 s request timeouts), load margin
  elector.stop();
  EXPECT_EQ(record("cut-off").holder_identity, "candidate");  // could not release: still on the server
}

}  // namespace
}  // namespace droid::kube
