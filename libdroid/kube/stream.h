// Streamed GETs of plain bytes: a pod's log with follow=true, read as it
// arrives on the calling thread until the server ends the response or the
// CancelToken is cancelled. (Watches have their own framing: watch.h.)
//
//   CancelToken cancel;
//   stream_get(client, kPods.path("ns", "pod", "log") + "?follow=true",
//              [](std::string_view bytes) { std::cout << bytes << std::flush; }, cancel);
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "kube/client.h"
#include "kube/watch.h"

namespace droid::kube {

struct StreamResult {
  enum class End { Closed, Cancelled };
  End end = End::Closed;
  std::size_t bytes = 0;  // bytes delivered to the callback
};

// Throws ApiError when the server refuses the request (404 for a pod that does
// not exist, 400 for a container that has not started), TransportError when the
// connection fails. `idle_timeout` bounds the wait for each read: a followed log
// may stay quiet that long before the stream counts as failed.
StreamResult stream_get(Client& client, const std::string& path_and_query,
                        const std::function<void(std::string_view)>& on_data, CancelToken& cancel,
                        std::chrono::seconds idle_timeout = std::chrono::hours(24));

}  // namespace droid::kube
