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
#include "kube/watch_event.h"

namespace droid::kube {

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

// The HTTP watch of a real API server (what Client::watch() runs; kube::Api::watch
// is the interface). Calls on_event for every ADDED, MODIFIED, DELETED and BOOKMARK
// event (the callee may take the event's object: it is not used afterwards). Throws
// ApiError for a refused watch or an ERROR event other than 410, TransportError
// when the connection fails. An exception thrown by on_event ends the watch and
// propagates.
WatchResult watch(Client& client, const Resource& resource, const WatchOptions& options,
                  const std::function<void(WatchEvent&)>& on_event, CancelToken& cancel);

}  // namespace droid::kube
