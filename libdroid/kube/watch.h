// Streaming watches. watch() issues GET ...?watch=1&allowWatchBookmarks=true&
// resourceVersion=RV&timeoutSeconds=N and reads the newline-delimited JSON
// events from the response body as they arrive, on the calling thread (a
// reflector runs it on its own thread), until the server ends the stream, the
// resourceVersion has expired (410 Gone, as an HTTP status or as an ERROR event
// with code 410: the caller must relist), or the CancelToken is cancelled.
// EventDecoder is the incremental framing, usable without a server.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/client.h"

namespace droid::kube {

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  nlohmann::json object;  // the object; a metav1.Status for Error
};

const char* to_string(WatchEvent::Type type);

// Splits a byte stream into watch events, one JSON document per line.
class EventDecoder {
 public:
  // Appends bytes; returns the events completed by them. Throws std::runtime_error
  // on a line that is not a watch event.
  std::vector<WatchEvent> feed(std::string_view bytes);
  std::size_t pending() const { return buffer_.size(); }  // bytes of an incomplete line

 private:
  std::string buffer_;
};

// Cancels watches (and wakes sleepers) from any thread. Once cancelled it stays cancelled.
class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void cancel();
  bool cancelled() const;
  // Sleeps up to `d`; returns true at once when cancelled (before or during the sleep).
  bool wait_for(std::chrono::milliseconds d) const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct WatchOptions {
  std::string namespace_name;  // "" : all namespaces (or a cluster-scoped resource)
  std::string resource_version;
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  // Asked of the server; the client's per-read timeout is this plus a margin, so
  // the server always ends a quiet stream first.
  std::chrono::seconds timeout{290};
};

struct WatchResult {
  enum class End { Closed, Expired, Cancelled };
  End end = End::Closed;
  std::string resource_version;  // the last one seen (events and bookmarks), else the one asked for
  std::string message;           // the server's message for Expired
  int events = 0;                // events delivered to the callback
};

// Calls on_event for every ADDED, MODIFIED, DELETED and BOOKMARK event. Throws
// ApiError for a refused watch or an ERROR event other than 410, TransportError
// when the connection fails. An exception thrown by on_event ends the watch and
// propagates.
WatchResult watch(Client& client, const Resource& resource, const WatchOptions& options,
                  const std::function<void(const WatchEvent&)>& on_event, CancelToken& cancel);

}  // namespace droid::kube
