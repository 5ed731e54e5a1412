// The enabled Telemetry: one session's OTLP/HTTP (protobuf) pipelines for
// traces, metrics and logs, on provider objects this instance owns (nothing is
// installed as the process-global provider, so two sessions in one process do
// not see each other's data). Internal to runner/telemetry; use Telemetry::make.
#pragma once

#include <memory>

#include "telemetry/telemetry.h"
#include "telemetry/trace_id.h"

namespace droid::runner::telemetry {

// `config` is valid (Telemetry::make checked it) and has an endpoint. Every span
// of the session is in the trace `trace_id`.
std::unique_ptr<Telemetry> make_otlp_telemetry(const Config& config, const TraceIdBytes& trace_id);

}  // namespace droid::runner::telemetry
