#include "kube/event_recorder.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "kube/leader_election.h"

namespace droid::kube {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

ObjectReference session_ref() {
  return {.api_version = "droid.dev/v1alpha1",
          .kind = "DroidSession",
          .namespace_name = "team-a",
          .name = "fix-1",
          .uid = "0d9c6c7e-1111-2222-3333-444455556666",
          .resource_version = "42"};
}

TEST(ObjectReference, FromAnObject) {
  const json pod = json::parse(R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "p", "namespace": "n", "uid": "u-1", "resourceVersion": "7", "labels": {"a": "b"}}})");
  const ObjectReference r = object_reference(pod);
  EXPECT_EQ(r.api_version, "v1");
  EXPECT_EQ(r.kind, "Pod");
  EXPECT_EQ(r.namespace_name, "n");
  EXPECT_EQ(r.name, "p");
  EXPECT_EQ(r.uid, "u-1");
  EXPECT_EQ(r.resource_version, "7");
  const ObjectReference policy = object_reference(
      json::parse(R"({"apiVersion": "droid.dev/v1alpha1", "kind": "OrgPolicy", "metadata": {"name": "org"}})"));
  EXPECT_EQ(policy.namespace_name, "");
}

TEST(EventNamespace, OwnNamespaceOrDefaultForClusterScopedObjects) {
  EXPECT_EQ(event_namespace(session_ref()), "team-a");
  EXPECT_EQ(event_namespace({.api_version = "droid.dev/v1alpha1", .kind = "OrgPolicy", .name = "org"}), "default");
}

TEST(EventName, RegardingNameDotHexSuffix) {
  EXPECT_EQ(event_name("fix-1", 0x1879abcdef012345ULL), "fix-1.1879abcdef012345");
  EXPECT_EQ(event_name("x", 0), "x.0");
  const std::string long_name(253, 'a');
  const std::string cut = event_name(long_name, 0xffffffffffffffffULL);
  EXPECT_EQ(cut.size(), 253U);
  EXPECT_EQ(cut.substr(cut.size() - 17), ".ffffffffffffffff");
  // A cut that would leave '-' or '.' before the separator drops them.
  const std::string dashed = std::string(235, 'b') + "-c";  // the cut falls right after the '-'
  const std::string dashed_name = event_name(dashed, 0xffffffffffffffffULL);
  EXPECT_TRUE(std::regex_match(dashed_name, std::regex("b+\\.f{16}"))) << dashed_name;
}

TEST(Truncation, CutsAtAUtf8Boundary) {
  EXPECT_EQ(truncate_utf8("hello", 10), "hello");
  EXPECT_EQ(truncate_utf8("hello", 3), "hel");
  const std::string e_acute = "\xC3\xA9";  // é: two bytes
  EXPECT_EQ(truncate_utf8("ab" + e_acute, 3), "ab");
  EXPECT_EQ(truncate_utf8("ab" + e_acute, 4), "ab" + e_acute);
  const std::string note(5000, 'n');
  EXPECT_EQ(truncate_utf8(note, kEventNoteMaxBytes).size(), 1024U);
  const std::string euro = "\xE2\x82\xAC";  // €: three bytes; 1023 = 3 * 341
  std::string euros;
  for (int i = 0; i < 400; ++i) euros += euro;
  EXPECT_EQ(truncate_utf8(euros, 1024).size(), 1023U);
}

TEST(AggregationKey, IdenticalEventsShareOneKey) {
  const auto base = event_aggregation_key(session_ref(), EventType::Warning, "PolicyDenied", "Admit", "too big");
  EXPECT_EQ(base, event_aggregation_key(session_ref(), EventType::Warning, "PolicyDenied", "Admit", "too big"));
  ObjectReference newer = session_ref();
  newer.resource_version = "43";  // the same object after a write
  EXPECT_EQ(base, event_aggregation_key(newer, EventType::Warning, "PolicyDenied", "Admit", "too big"));

  EXPECT_NE(base, event_aggregation_key(session_ref(), EventType::Normal, "PolicyDenied", "Admit", "too big"));
  EXPECT_NE(base, event_aggregation_key(session_ref(), EventType::Warning, "Other", "Admit", "too big"));
  EXPECT_NE(base, event_aggregation_key(session_ref(), EventType::Warning, "PolicyDenied", "Create", "too big"));
  EXPECT_NE(base, event_aggregation_key(session_ref(), EventType::Warning, "PolicyDenied", "Admit", "too small"));
  ObjectReference other = session_ref();
  other.uid = "another-uid";  // a recreated object of the same name
  EXPECT_NE(base, event_aggregation_key(other, EventType::Warning, "PolicyDenied", "Admit", "too big"));
  // Fields cannot bleed into each other.
  EXPECT_NE(event_aggregation_key(session_ref(), EventType::Normal, "ab", "c", ""),
            event_aggregation_key(session_ref(), EventType::Normal, "a", "bc", ""));
  // Notes that differ only past the limit are the same note once truncated.
  EXPECT_EQ(event_aggregation_key(session_ref(), EventType::Normal, "r", "a", std::string(1024, 'x') + "1"),
            event_aggregation_key(session_ref(), EventType::Normal, "r", "a", std::string(1024, 'x') + "2"));
}

TEST(EventObject, HasTheEventsV1Fields) {
  const EventRecorderOptions options{.reporting_controller = "droid.dev/operator", .reporting_instance = "op-0"};
  const auto t = parse_micro_time("2026-11-22T02:10:00.123456Z").value();
  const json e = event_object(session_ref(), EventType::Warning, "PolicyDenied", "Admit", std::string(2000, 'n'),
                              options, "fix-1.abc", t);
  EXPECT_EQ(e["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["metadata"], (json{{"name", "fix-1.abc"}, {"namespace", "team-a"}}));
  EXPECT_EQ(e["eventTime"], "2026-11-22T02:10:00.123456Z");
  EXPECT_EQ(e["reportingController"], "droid.dev/operator");
  EXPECT_EQ(e["reportingInstance"], "op-0");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "PolicyDenied");
  EXPECT_EQ(e["action"], "Admit");
  EXPECT_EQ(e["note"].get<std::string>().size(), 1024U);
  EXPECT_EQ(e["regarding"], json::parse(R"({"apiVersion": "droid.dev/v1alpha1", "kind": "DroidSession",
      "namespace": "team-a", "name": "fix-1", "uid": "0d9c6c7e-1111-2222-3333-444455556666",
      "resourceVersion": "42"})"));
  EXPECT_FALSE(e.contains("series"));
  const json cluster = event_object({.api_version = "v1", .kind = "Namespace", .name = "team-a"}, EventType::Normal,
                                    "r", "a", "n", options, "team-a.1", t);
  EXPECT_EQ(cluster["metadata"]["namespace"], "default");
  EXPECT_EQ(cluster["regarding"], (json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"name", "team-a"}}));
  EXPECT_EQ(cluster["type"], "Normal");
}

TEST(EventRecorder, RefusesIncompleteOptions) {
  Config config;
  config.server = "https://127.0.0.1:1";
  Client client(config);
  EXPECT_THROW(EventRecorder(client, {.reporting_instance = "i"}), std::invalid_argument);
  EXPECT_THROW(EventRecorder(client, {.reporting_controller = "c"}), std::invalid_argument);
  EXPECT_THROW(EventRecorder(client, {.reporting_controller = "c", .reporting_instance = std::string(129, 'i')}),
               std::invalid_argument);
  EXPECT_THROW(EventRecorder(client, {.reporting_controller = "c", .reporting_instance = "i", .queue_capacity = 0}),
               std::invalid_argument);
}

// A TCP port that accepts connections into its backlog but never answers: the
// recorder's writer blocks on its first request, so the queue fills up.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

Config silent_config(const SilentServer& server) {
  Config config;
  config.server = server.url();
  return config;
}

TEST(EventRecorder, RecordNeverBlocksAndDropsWhenTheQueueIsFull) {
  SilentServer server;
  Client client(silent_config(server), {.request_timeout = 2s});
  EventRecorder recorder(client,
                         {.reporting_controller = "droid.dev/test", .reporting_instance = "t", .queue_capacity = 2});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    recorder.record(session_ref(), EventType::Normal, "Reason" + std::to_string(i), "Act", "distinct events");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms)
      << "record() waited for the network (one request alone times out after 2 s)";
  // At most one event is being written and two are queued: 7 or 8 of the 10 are dropped.
  EXPECT_GE(recorder.dropped(), 7U);
  EXPECT_LE(recorder.dropped(), 8U);
  EXPECT_FALSE(recorder.flush(50ms));  // the writer is stuck on the silent server
  EXPECT_EQ(recorder.written(), 0U);
}

TEST(EventRecorder, RepeatsFoldIntoTheQueuedEventInsteadOfTakingSlots) {
  SilentServer server;
  Client client(silent_config(server), {.request_timeout = 2s});
  EventRecorder recorder(client,
                         {.reporting_controller = "droid.dev/test", .reporting_instance = "t", .queue_capacity = 1});
  for (int i = 0; i < 20; ++i) recorder.record(session_ref(), EventType::Warning, "Same", "Act", "same note");
  // The first one may be in flight, the second queued; the other 18 fold into the queued one.
  EXPECT_EQ(recorder.dropped(), 0U);
  recorder.record(session_ref(), EventType::Warning, "Different", "Act", "same note");
  EXPECT_EQ(recorder.dropped(), 1U);  // the only slot is taken by the series update
}

}  // namespace
}  // namespace droid::kube
