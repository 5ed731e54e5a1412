// The events.k8s.io/v1 event recorder (libdroid/kube/event_recorder.h) against a
// real kube-apiserver: the recorded Event's fields; identical events folded into
// one Event's series (from several threads, every repeat counted; a new Event once
// the window has passed); a series whose Event was deleted written again; events
// about cluster-scoped objects in "default"; long notes truncated; a refused write
// (namespace missing) dropped without blocking. KUBECONFIG is required. Each run
// works in its own namespace, deleted at the end.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/error.h"
#include "kube/event_recorder.h"
#include "kube/leader_election.h"

namespace droid::kube {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string kubeconfig_path() {
  const char* kc = std::getenv("KUBECONFIG");  // NOLINT(concurrency-mt-unsafe)
  return kc == nullptr ? "" : kc;
}

class EventRecorderE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string kc = kubeconfig_path();
    if (kc.empty()) return;  // every test fails in SetUp with a clear message
    client_ = new Client(load_kubeconfig(kc));
    ns_ = "events-e2e-" + std::to_string(::getpid());
    ns_object_ =
        client_->create(kNamespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    // A stand-in for a DroidSession (the CRDs need not be installed for events).
    subject_ = client_->create(kConfigMaps, {{"apiVersion", "v1"},
                                             {"kind", "ConfigMap"},
                                             {"metadata", {{"name", "session-like"}, {"namespace", ns_}}},
                                             {"data", {{"a", "1"}}}});
  }
  static void TearDownTestSuite() {
    if (client_ == nullptr) return;
    try {
      // Events about the (cluster-scoped) namespace live in "default".
      for (const auto& e : events_in("default", "regarding.name=" + ns_)) {
        client_->remove(kEvents, "default", e["metadata"]["name"]);
      }
      client_->remove(kNamespaces, "", ns_);
    } catch (const std::exception& e) {
      std::cerr << "cleanup of " << ns_ << " failed: " << e.what() << "\n";
    }
    delete client_;
    client_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(kubeconfig_path().empty()) << "KUBECONFIG is not set: these tests need a real API server "
                                               "(export KUBECONFIG=$(scripts/cluster/up.sh))";
    ASSERT_NE(client_, nullptr);
  }

  static std::vector<json> events_in(const std::string& ns, const std::string& field_selector) {
    const json list = client_->list(kEvents, ns, {.field_selector = field_selector});
    return list["items"].get<std::vector<json>>();
  }
  // This run's events about the subject with `reason`.
  static std::vector<json> subject_events(const std::string& reason) {
    return events_in(ns_, "regarding.name=session-like,reason=" + reason);
  }
  static EventRecorderOptions options() {
    return {.reporting_controller = "droid.dev/e2e-test", .reporting_instance = "e2e-" + std::to_string(::getpid())};
  }

  static Client* client_;
  static std::string ns_;
  static json ns_object_;
  static json subject_;
};

Client* EventRecorderE2E::client_ = nullptr;
std::string EventRecorderE2E::ns_;
json EventRecorderE2E::ns_object_;
json EventRecorderE2E::subject_;

TEST_F(EventRecorderE2E, RecordsAnEventWithTheEventsV1Fields) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  const auto before = std::chrono::system_clock::now() - 1s;
  recorder.record(object_reference(subject_), EventType::Normal, "PodCreated", "Create", "runner pod fix-1 created");
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.written(), 1U);
  EXPECT_EQ(recorder.failed(), 0U);
  EXPECT_EQ(recorder.dropped(), 0U);

  const auto events = subject_events("PodCreated");
  ASSERT_EQ(events.size(), 1U);
  const json& e = events[0];
  EXPECT_EQ(e["metadata"]["namespace"], ns_);
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("session-like.", 0), 0U) << e["metadata"]["name"];
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["reason"], "PodCreated");
  EXPECT_EQ(e["action"], "Create");
  EXPECT_EQ(e["note"], "runner pod fix-1 created");
  EXPECT_EQ(e["reportingController"], "droid.dev/e2e-test");
  EXPECT_EQ(e["reportingInstance"], options().reporting_instance);
  EXPECT_EQ(e["regarding"]["apiVersion"], "v1");
  EXPECT_EQ(e["regarding"]["kind"], "ConfigMap");
  EXPECT_EQ(e["regarding"]["namespace"], ns_);
  EXPECT_EQ(e["regarding"]["name"], "session-like");
  EXPECT_EQ(e["regarding"]["uid"], subject_["metadata"]["uid"]);
  EXPECT_EQ(e["regarding"]["resourceVersion"], subject_["metadata"]["resourceVersion"]);
  EXPECT_FALSE(e.contains("series"));
  const auto event_time = parse_micro_time(e["eventTime"].get<std::string>());
  ASSERT_TRUE(event_time.has_value()) << e["eventTime"];
  EXPECT_GE(*event_time, before);
  EXPECT_LE(*event_time, std::chrono::system_clock::now());
}

TEST_F(EventRecorderE2E, IdenticalEventsBecomeOneEventWithASeries) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  for (int i = 0; i < 5; ++i) {
    recorder.record(object_reference(subject_), EventType::Warning, "PolicyDenied", "Admit",
                    "model gpt-x is not allowed by policy org");
  }
  // A different note is a different event.
  recorder.record(object_reference(subject_), EventType::Warning, "PolicyDenied", "Admit",
                  "timeout 9h exceeds the maximum 2h");
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.failed(), 0U);
  EXPECT_EQ(recorder.dropped(), 0U);

  const auto events = subject_events("PolicyDenied");
  ASSERT_EQ(events.size(), 2U);
  const json* repeated = nullptr;
  const json* single = nullptr;
  for (const auto& e : events) (e["note"] == "timeout 9h exceeds the maximum 2h" ? single : repeated) = &e;
  ASSERT_NE(repeated, nullptr);
  ASSERT_NE(single, nullptr);
  EXPECT_FALSE(single->contains("series"));
  ASSERT_TRUE(repeated->contains("series")) << repeated->dump();
  // Every repeat is counted: the last update carries the latest count.
  EXPECT_EQ((*repeated)["series"]["count"], 5) << repeated->dump();
  const auto first = parse_micro_time((*repeated)["eventTime"].get<std::string>());
  const auto last = parse_micro_time((*repeated)["series"]["lastObservedTime"].get<std::string>());
  ASSERT_TRUE(first && last) << repeated->dump();
  EXPECT_GE(*last, *first);
  std::cout << "5 identical records: " << recorder.written() << " writes\n";
  EXPECT_LE(recorder.written(), 5U);  // the creation plus at most four series updates, usually fewer

  // Later repeats update the same Event.
  recorder.record(object_reference(subject_), EventType::Warning, "PolicyDenied", "Admit",
                  "model gpt-x is not allowed by policy org");
  ASSERT_TRUE(recorder.flush(10s));
  const auto after = subject_events("PolicyDenied");
  ASSERT_EQ(after.size(), 2U);
  for (const auto& e : after) {
    if (e["metadata"]["name"] == (*repeated)["metadata"]["name"]) {
      EXPECT_EQ(e["series"]["count"], 6);
    }
  }
}

TEST_F(EventRecorderE2E, RepeatsFromManyThreadsAreAllCounted) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  constexpr int kThreads = 4;
  constexpr int kRepeats = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRepeats; ++i) {
        recorder.record(object_reference(subject_), EventType::Warning, "Throttled", "Reconcile", "queue full");
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.dropped(), 0U);  // repeats fold into one pending update: no queue slot each
  EXPECT_EQ(recorder.failed(), 0U);
  const auto events = subject_events("Throttled");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["series"]["count"], kThreads * kRepeats);
  std::cout << kThreads * kRepeats << " identical records from " << kThreads << " threads: " << recorder.written()
            << " writes\n";
}

TEST_F(EventRecorderE2E, ARepeatAfterTheSeriesWindowStartsANewEvent) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorderOptions short_window = options();
  short_window.series_window = 300ms;
  EventRecorder recorder(writer, short_window);
  recorder.record(object_reference(subject_), EventType::Normal, "Windowed", "Sync", "same");
  recorder.record(object_reference(subject_), EventType::Normal, "Windowed", "Sync", "same");
  ASSERT_TRUE(recorder.flush(10s));
  std::this_thread::sleep_for(600ms);  // let the window pass (time must pass; nothing to wait on)
  recorder.record(object_reference(subject_), EventType::Normal, "Windowed", "Sync", "same");
  ASSERT_TRUE(recorder.flush(10s));
  const auto events = subject_events("Windowed");
  ASSERT_EQ(events.size(), 2U);
  int with_series = 0;
  for (const auto& e : events) {
    if (e.contains("series")) {
      ++with_series;
      EXPECT_EQ(e["series"]["count"], 2);
    }
  }
  EXPECT_EQ(with_series, 1);
}

TEST_F(EventRecorderE2E, ASeriesWhoseEventWasDeletedIsWrittenAgain) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  const auto ref = object_reference(subject_);
  recorder.record(ref, EventType::Normal, "Recreated", "Sync", "same");
  ASSERT_TRUE(recorder.flush(10s));
  auto events = subject_events("Recreated");
  ASSERT_EQ(events.size(), 1U);
  const std::string name = events[0]["metadata"]["name"];
  client_->remove(kEvents, ns_, name);  // e.g. the API server's event TTL

  recorder.record(ref, EventType::Normal, "Recreated", "Sync", "same");
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.failed(), 0U);
  events = subject_events("Recreated");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["metadata"]["name"], name);
  EXPECT_EQ(events[0]["series"]["count"], 2);
}

TEST_F(EventRecorderE2E, AClusterScopedObjectsEventsGoToDefault) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  recorder.record(object_reference(ns_object_), EventType::Normal, "Governed", "Reconcile",
                  "namespace governed by policy org");
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.failed(), 0U);
  const auto events = events_in("default", "regarding.name=" + ns_ + ",reason=Governed");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["regarding"]["kind"], "Namespace");
  EXPECT_FALSE(events[0]["regarding"].contains("namespace"));
  EXPECT_EQ(events[0]["metadata"]["name"].get<std::string>().rfind(ns_ + ".", 0), 0U);
}

TEST_F(EventRecorderE2E, ALongNoteIsTruncatedToTheApiLimit) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  recorder.record(object_reference(subject_), EventType::Warning, "RunnerFailed", "Run", std::string(3000, 'x'));
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.failed(), 0U);
  const auto events = subject_events("RunnerFailed");
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["note"], std::string(1024, 'x'));
}

TEST_F(EventRecorderE2E, ARefusedEventIsDroppedAndCounted) {
  Client writer(load_kubeconfig(kubeconfig_path()));
  EventRecorder recorder(writer, options());
  ObjectReference gone = object_reference(subject_);
  gone.namespace_name = ns_ + "-does-not-exist";
  const auto start = std::chrono::steady_clock::now();
  recorder.record(gone, EventType::Warning, "Lost", "Run", "nobody will read this");
  recorder.record(gone, EventType::Warning, "Lost", "Run", "nobody will read this");
  // record() only queues: no retries with backoff on the caller's thread (a
  // generous bound; a loaded machine can preempt the thread for a while).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_GE(recorder.failed(), 1U);  // the create was refused (NotFound), not retried
  EXPECT_EQ(recorder.written(), 0U);
  // The recorder still works afterwards.
  recorder.record(object_reference(subject_), EventType::Normal, "StillWorks", "Run", "ok");
  ASSERT_TRUE(recorder.flush(10s));
  EXPECT_EQ(recorder.written(), 1U);
  EXPECT_EQ(subject_events("StillWorks").size(), 1U);
}

}  // namespace
}  // namespace droid::kube
