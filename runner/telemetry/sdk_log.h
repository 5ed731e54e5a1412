// Where opentelemetry-cpp's own diagnostics go (export failures, dropped data):
// into the project's structured log (logger "telemetry"), warnings and errors
// only, instead of the SDK's plain-text lines on stderr. The SDK has one
// process-wide log handler; install_sdk_log_handler sets it once, and later
// calls do nothing.
#pragma once

namespace droid::runner::telemetry {

void install_sdk_log_handler();

}  // namespace droid::runner::telemetry
