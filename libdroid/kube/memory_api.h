// An in-memory twin of the API server for unit tests of controllers (kube::Api):
// objects keyed by resource, namespace and name, one resourceVersion counter for
// all of them, and the answers a real server gives:
//   create   409 AlreadyExists for a taken name; sets uid, resourceVersion,
//            generation 1, creationTimestamp; a Pod starts in phase Pending
//   get      404 NotFound
//   replace  404; 409 Conflict when metadata.resourceVersion is set and stale;
//            the main resource keeps the stored status of a kind with a status
//            subresource (Pod, Namespace, DroidSession, OrgPolicy), and the status
//            subresource changes only status; generation + 1 when the spec changes;
//            422 Invalid for a change of an immutable ConfigMap's or Secret's data
//   patch    merge and JSON patches (a strategic merge patch is taken as a merge patch)
//   apply    creates, or merges the applied fields into the stored object (no field
//            ownership: every apply behaves as forced)
//   remove   404; 409 when preconditions.uid differs; no finalizers, no garbage
//            collection of owned objects
//   list     one page, all of it; label selectors of "k=v" and "k" terms
//   read_log 404 for a missing pod; the text set_log() gave the container,
//            its last tail_lines lines, cut at limit_bytes ("" when none was set)
//   watch    every change after the resourceVersion asked for (ADDED, MODIFIED,
//            DELETED with the version of the deletion), by namespace and label
//            selector, then the changes as they happen, until the timeout asked
//            for, close_watches() or the cancel; from a version older than the
//            last compact(): End::Expired (410 Gone), so a reflector relists
// fail_next() makes the next call of a verb on a resource throw a given error,
// calls() lists what was asked. Thread-safe: reflectors on their own threads fill
// a controller's caches from it as from a server.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api.h"
#include "kube/error.h"

namespace droid::kube {

class MemoryApi : public Api {
 public:
  // `created_at`: the creationTimestamp created objects get.
  explicit MemoryApi(std::string created_at = "2026-01-01T00:00:00Z");

  nlohmann::json get(const Resource& r, const std::string& ns, const std::string& name,
                     const std::string& subresource = "") override;
  nlohmann::json list(const Resource& r, const std::string& ns, const ListOptions& options = {}) override;
  nlohmann::json create(const Resource& r, const nlohmann::json& object) override;
  nlohmann::json replace(const Resource& r, const nlohmann::json& object, const std::string& subresource = "") override;
  nlohmann::json patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                       const nlohmann::json& patch, const std::string& subresource = "") override;
  nlohmann::json apply(const Resource& r, const nlohmann::json& object, const std::string& field_manager,
                       bool force = false, const std::string& subresource = "") override;
  nlohmann::json remove(const Resource& r, const std::string& ns, const std::string& name,
                        const nlohmann::json& delete_options = nullptr) override;
  WatchResult watch(const Resource& r, const WatchOptions& options, const std::function<void(WatchEvent&)>& on_event,
                    CancelToken& cancel) override;

  std::string read_log(const std::string& ns, const std::string& pod, const LogOptions& options = {}) override;

  // What read_log() answers for a container of a pod (a test's runner writing to stdout).
  void set_log(const std::string& ns, const std::string& pod, const std::string& container, std::string text);

  // Every version up to now is compacted away (as etcd compaction does): a watch
  // asked to resume from an older one ends Expired. Watches already open go on.
  void compact();
  // Ends the open watches as a server's timeout does (End::Closed).
  void close_watches();

  // The next call of `verb` (get, list, create, replace, patch, apply, remove, log, watch) on `r`
  // throws `error` instead of answering; queued errors are used in order.
  void fail_next(const std::string& verb, const Resource& r, ApiError error);
  // Every call so far, in order: "create configmaps ns/name", "replace droidsessions ns/name/status".
  std::vector<std::string> calls() const;
  // The stored objects of `r` (every namespace), ordered by namespace and name.
  std::vector<nlohmann::json> objects(const Resource& r) const;

 private:
  using Key = std::pair<std::string, std::string>;  // (namespace, name)
  std::map<Key, nlohmann::json>& table(const Resource& r);
  void record(const std::string& verb, const Resource& r, const std::string& ns, const std::string& name,
              const std::string& subresource);
  nlohmann::json store_update(const Resource& r, nlohmann::json& stored, nlohmann::json next,
                              const std::string& subresource);
  std::string next_version();
  // Appends a change to the watch history of `r` (mu_ held) and wakes the watches.
  void changed(const Resource& r, WatchEvent::Type type, const nlohmann::json& object);

  struct Change {
    std::int64_t version;
    WatchEvent::Type type;
    nlohmann::json object;
  };

  mutable std::mutex mu_;
  std::string created_at_;
  std::int64_t version_ = 1000;
  std::int64_t uids_ = 0;
  std::map<std::string, std::map<Key, nlohmann::json>> tables_;                     // by Resource::path()
  std::vector<std::pair<std::string, std::pair<std::string, ApiError>>> failures_;  // (verb, (path, error))
  std::vector<std::string> calls_;
  std::map<std::pair<Key, std::string>, std::string> logs_;  // ((namespace, pod), container) -> text
  std::map<std::string, std::vector<Change>> history_;       // by Resource::path(), oldest first
  std::int64_t compacted_ = 0;                               // versions up to this one are gone
  std::uint64_t closed_ = 0;                                 // close_watches() calls so far
  std::condition_variable changes_;
};

}  // namespace droid::kube
