#include "kube/stream.h"

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <vector>

#include <cpprest/http_client.h>

#include "kube/client_impl.h"
#include "kube/error.h"

namespace droid::kube {

StreamResult stream_get(Client& client, const std::string& path_and_query,
                        const std::function<void(std::string_view)>& on_data, CancelToken& cancel,
                        std::chrono::seconds idle_timeout) {
  StreamResult result;
  if (cancel.cancelled()) {
    result.end = StreamResult::End::Cancelled;
    return result;
  }
  auto& impl = client.impl();
  auto http = impl.make_http_client(idle_timeout);
  auto request = impl.make_request("GET", path_and_query);
  // A log is text; errors still come as a JSON Status.
  request.headers().remove("Accept");
  request.headers().add("Accept", "text/plain, application/json, */*");
  const auto token = cancel.impl().source.get_token();
  try {
    web::http::http_response response = http.request(request, token).get();
    const int status = response.status_code();
    if (status != 200) throw api_error_from_response(status, response.extract_utf8string(true).get());
    auto body = response.body().streambuf();
    std::vector<std::uint8_t> chunk(std::size_t{16} * 1024);
    for (;;) {
      // As in watch(): take what is buffered, or wait for one byte.
      const std::size_t want = std::clamp<std::size_t>(body.in_avail(), 1, chunk.size());
      const std::size_t n = body.getn(chunk.data(), want).get();
      if (n == 0) break;
      result.bytes += n;
      on_data(std::string_view(reinterpret_cast<const char*>(chunk.data()), n));  // NOLINT
      if (cancel.cancelled()) break;
    }
  } catch (const pplx::task_canceled&) {
    // reported as Cancelled below
  } catch (const web::http::http_exception& e) {
    if (!cancel.cancelled()) throw TransportError("GET " + path_and_query + ": " + e.what());
  } catch (const std::system_error& e) {
    if (!cancel.cancelled()) throw TransportError("GET " + path_and_query + ": " + e.what());
  }
  result.end = cancel.cancelled() ? StreamResult::End::Cancelled : StreamResult::End::Closed;
  return result;
}

}  // namespace droid::kube
