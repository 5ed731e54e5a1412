// The gateway's Prometheus metrics (prometheus-cpp core), served on its ops port:
//   droid_egress_requests_total{destination,decision}   requests handled
//   droid_egress_refusals_total{reason}                 identity/policy refusals by kind
//   droid_egress_bytes_total{direction="up"|"down"}     body bytes forwarded
//   droid_egress_request_duration_seconds{decision}     time to the end of the response
//   droid_egress_connections                            client connections open
//   droid_egress_sessions                               sessions known
// No session label: sessions are many and short-lived (the audit log has them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace droid::egress {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void request(const std::string& destination, const std::string& decision, double seconds);
  void refusal(const std::string& reason);
  void bytes(std::uint64_t up, std::uint64_t down);
  void connection_opened();
  void connection_closed();
  void sessions(std::size_t count);
  std::string serialize() const;  // the text exposition format

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace droid::egress
