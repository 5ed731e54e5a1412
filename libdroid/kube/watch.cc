#include "kube/watch.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include <cpprest/http_client.h>

#include "kube/client_impl.h"
#include "kube/error.h"
#include "kube/store.h"

namespace droid::kube {

const char* to_string(WatchEvent::Type type) {
  switch (type) {
    case WatchEvent::Type::Added: return "ADDED";
    case WatchEvent::Type::Modified: return "MODIFIED";
    case WatchEvent::Type::Deleted: return "DELETED";
    case WatchEvent::Type::Bookmark: return "BOOKMARK";
    case WatchEvent::Type::Error: return "ERROR";
  }
  return "?";
}

namespace {

WatchEvent parse_event(std::string_view line) {
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string() || !doc.contains("object")) {
    throw std::runtime_error("not a watch event: " + std::string(line.substr(0, 200)));
  }
  const std::string type = doc["type"].get<std::string>();
  WatchEvent event;
  if (type == "ADDED") {
    event.type = WatchEvent::Type::Added;
  } else if (type == "MODIFIED") {
    event.type = WatchEvent::Type::Modified;
  } else if (type == "DELETED") {
    event.type = WatchEvent::Type::Deleted;
  } else if (type == "BOOKMARK") {
    event.type = WatchEvent::Type::Bookmark;
  } else if (type == "ERROR") {
    event.type = WatchEvent::Type::Error;
  } else {
    throw std::runtime_error("unknown watch event type \"" + type + "\"");
  }
  event.object = std::move(doc["object"]);
  return event;
}

}  // namespace

std::vector<WatchEvent> EventDecoder::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::vector<WatchEvent> events;
  std::size_t start = 0;
  for (std::size_t nl; (nl = buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(buffer_.data() + start, nl - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    events.push_back(parse_event(line));
  }
  buffer_.erase(0, start);
  return events;
}

CancelToken::CancelToken() : impl_(std::make_unique<Impl>()) {}
CancelToken::~CancelToken() = default;

void CancelToken::cancel() {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->cancelled) return;
    impl_->cancelled = true;
  }
  impl_->cv.notify_all();
  impl_->source.cancel();  // closes the connections of requests made with this token
}

bool CancelToken::cancelled() const {
  std::lock_guard lock(impl_->mu);
  return impl_->cancelled;
}

bool CancelToken::wait_for(std::chrono::milliseconds d) const {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, d, [this] { return impl_->cancelled; });
}

WatchResult watch(Client& client, const Resource& resource, const WatchOptions& options,
                  const std::function<void(WatchEvent&)>& on_event, CancelToken& cancel) {
  WatchResult result;
  result.resource_version = options.resource_version;
  if (cancel.cancelled()) {
    result.end = WatchResult::End::Cancelled;
    return result;
  }
  auto& impl = client.impl();
  const std::string path = resource.path(options.namespace_name) +
                           query_string({{"watch", "1"},
                                         {"allowWatchBookmarks", options.allow_bookmarks ? "true" : ""},
                                         {"resourceVersion", options.resource_version},
                                         {"labelSelector", options.label_selector},
                                         {"fieldSelector", options.field_selector},
                                         {"timeoutSeconds", std::to_string(options.timeout.count())}});
  // cpprestsdk's timeout applies to each read, so a quiet but healthy stream must
  // be allowed to stay silent for the whole server-side timeout.
  auto http = impl.make_http_client(options.timeout + std::chrono::seconds(30));
  auto request = impl.make_request("GET", path);
  const auto token = cancel.impl().source.get_token();
  try {
    web::http::http_response response = http.request(request, token).get();
    const int status = response.status_code();
    if (status == 410) {
      const auto error = api_error_from_response(status, response.extract_utf8string(true).get());
      result.end = WatchResult::End::Expired;
      result.message = error.status_message();
      return result;
    }
    if (status != 200) throw api_error_from_response(status, response.extract_utf8string(true).get());

    auto body = response.body().streambuf();
    std::vector<std::uint8_t> chunk(std::size_t{64} * 1024);
    EventDecoder decoder;
    for (;;) {
      // getn(n) waits until n bytes are there or the stream ends: ask for what is
      // already buffered, or for 1 byte to wait for the next chunk.
      const std::size_t want = std::clamp<std::size_t>(body.in_avail(), 1, chunk.size());
      const std::size_t n = body.getn(chunk.data(), want).get();
      if (n == 0) break;  // the server ended the stream
      for (auto& event : decoder.feed(std::string_view(reinterpret_cast<const char*>(chunk.data()), n))) {  // NOLINT
        if (event.type == WatchEvent::Type::Error) {
          const int code = event.object.value("code", 0);
          if (code == 410) {
            result.end = WatchResult::End::Expired;
            result.message = event.object.value("message", "");
            return result;
          }
          throw ApiError(code, event.object.value("reason", ""), event.object.value("message", ""),
                         event.object.dump());
        }
        if (const std::string rv = resource_version_of(event.object); !rv.empty()) result.resource_version = rv;
        ++result.events;
        on_event(event);
      }
      if (cancel.cancelled()) break;
    }
  } catch (const pplx::task_canceled&) {
    // fall through: reported as Cancelled below
  } catch (const web::http::http_exception& e) {
    if (!cancel.cancelled()) throw TransportError("watch " + path + ": " + e.what());
  } catch (const std::system_error& e) {  // a body read after the connection was closed
    if (!cancel.cancelled()) throw TransportError("watch " + path + ": " + e.what());
  }
  result.end = cancel.cancelled() ? WatchResult::End::Cancelled : WatchResult::End::Closed;
  return result;
}

}  // namespace droid::kube

namespace droid::kube {

WatchResult Client::watch(const Resource& r, const WatchOptions& options,
                          const std::function<void(WatchEvent&)>& on_event, CancelToken& cancel) {
  return kube::watch(*this, r, options, on_event, cancel);
}

}  // namespace droid::kube
