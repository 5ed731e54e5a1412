#include "metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace droid::egress {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests = prometheus::BuildCounter()
                                                          .Name("droid_egress_requests_total")
                                                          .Help("Requests handled by the egress gateway")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Counter>& refusals = prometheus::BuildCounter()
                                                          .Name("droid_egress_refusals_total")
                                                          .Help("Requests refused, by reason")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Counter>& bytes =
      prometheus::BuildCounter().Name("droid_egress_bytes_total").Help("Body bytes forwarded").Register(*registry);
  prometheus::Family<prometheus::Histogram>& duration = prometheus::BuildHistogram()
                                                            .Name("droid_egress_request_duration_seconds")
                                                            .Help("Time from request to the end of the response")
                                                            .Register(*registry);
  prometheus::Gauge& connections = prometheus::BuildGauge()
                                       .Name("droid_egress_connections")
                                       .Help("Client connections open")
                                       .Register(*registry)
                                       .Add({});
  prometheus::Gauge& sessions =
      prometheus::BuildGauge().Name("droid_egress_sessions").Help("Sessions known").Register(*registry).Add({});
  prometheus::Counter& up = bytes.Add({{"direction", "up"}});
  prometheus::Counter& down = bytes.Add({{"direction", "down"}});
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::request(const std::string& destination, const std::string& decision, double seconds) {
  impl_->requests.Add({{"destination", destination}, {"decision", decision}}).Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                                                   1,     5,     10,   30,   120};
  impl_->duration.Add({{"decision", decision}}, kBuckets).Observe(seconds);
}

void Metrics::refusal(const std::string& reason) { impl_->refusals.Add({{"reason", reason}}).Increment(); }

void Metrics::bytes(std::uint64_t up, std::uint64_t down) {
  impl_->up.Increment(static_cast<double>(up));
  impl_->down.Increment(static_cast<double>(down));
}

void Metrics::connection_opened() { impl_->connections.Increment(); }
void Metrics::connection_closed() { impl_->connections.Decrement(); }
void Metrics::sessions(std::size_t count) { impl_->sessions.Set(static_cast<double>(count)); }

std::string Metrics::serialize() const { return prometheus::TextSerializer().Serialize(impl_->registry->Collect()); }

}  // namespace droid::egress
