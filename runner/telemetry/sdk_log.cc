#include "telemetry/sdk_log.h"

#include <cstring>
#include <mutex>
#include <string_view>

#include <opentelemetry/sdk/common/global_log_handler.h>

#include "log/log.h"

namespace droid::runner::telemetry {
namespace {

namespace internal_log = opentelemetry::sdk::common::internal_log;

class StructuredLogHandler final : public internal_log::LogHandler {
 public:
  void Handle(internal_log::LogLevel level, const char* file, int line, const char* msg,
              const opentelemetry::sdk::common::AttributeMap& /*attributes*/) noexcept override {
    const std::string_view message = msg == nullptr ? "" : msg;
    // Known, harmless: the meter provider's destructor shuts down again what
    // finish() shut down within the export timeout, and the metric reader's
    // shutdown collects once more after finish()'s flush.
    for (const std::string_view benign : {"Shutdown can be invoked only once", "Collect invoked while Shutdown"}) {
      if (message.find(benign) != std::string_view::npos) return;
    }
    try {
      droid::log::write(level == internal_log::LogLevel::Error ? droid::log::Level::Error : droid::log::Level::Warn,
                        "telemetry", message,
                        {{"source", std::string(file == nullptr ? "" : file) + ":" + std::to_string(line)}});
    } catch (...) {  // NOLINT(bugprone-empty-catch): a diagnostic must never throw into the SDK
    }
  }
};

}  // namespace

void install_sdk_log_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    internal_log::GlobalLogHandler::SetLogHandler(
        opentelemetry::nostd::shared_ptr<internal_log::LogHandler>(new StructuredLogHandler));
    internal_log::GlobalLogHandler::SetLogLevel(internal_log::LogLevel::Warning);
  });
}

}  // namespace droid::runner::telemetry
