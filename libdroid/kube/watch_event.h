// The vocabulary of watches (kube::Api::watch, kube/watch.h): the events a watch
// delivers, what it is asked (namespace, selectors, the resourceVersion to resume
// from, bookmarks, the server-side timeout), how it ended (the server closed it,
// the resourceVersion expired: relist, or the caller cancelled it), and the
// CancelToken that ends a watch and wakes sleepers from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace droid::kube {

struct WatchEvent {
  enum class Type { Added, Modified, Deleted, Bookmark, Error };
  Type type = Type::Added;
  nlohmann::json object;  // the object; a metav1.Status for Error
};

const char* to_string(WatchEvent::Type type);

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

}  // namespace droid::kube
