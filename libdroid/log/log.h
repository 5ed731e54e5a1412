// Structured logs: one JSON object per line on stderr (or a sink set for tests),
//   {"ts":"2026-11-22T02:10:00.123Z","level":"info","logger":"session","msg":"pod created",
//    "session":"team-a/fix-1","pod":"fix-1-runner"}
// Fields are free-form JSON; keep secrets out of them (the callers log names and
// reasons, never prompts or credentials). Lines below the minimum level are
// dropped. Thread-safe: a line is written whole.
//
//   droid::log::Logger log("session");
//   log.info("pod created", {{"session", key}, {"pod", name}});
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace droid::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// "debug", "info", "warn", "error"; parse_level throws std::invalid_argument
// naming the accepted values.
const char* level_name(Level level);
Level parse_level(std::string_view text);

// Now, UTC, RFC 3339 with milliseconds: "2026-11-22T02:10:00.123Z".
std::string utc_timestamp();

void set_min_level(Level level);
Level min_level();

// Replaces where lines go (nullptr: back to stderr). For tests.
void set_sink(std::function<void(const std::string& line)> sink);

// Writes one line; `fields` must be a JSON object (or null).
void write(Level level, std::string_view logger, std::string_view message, const nlohmann::json& fields = nullptr);

// A named logger with optional fields added to every line.
class Logger {
 public:
  explicit Logger(std::string name, nlohmann::json fields = nlohmann::json::object());
  Logger with(const nlohmann::json& more) const;  // a child with more fixed fields
  void debug(std::string_view msg, const nlohmann::json& fields = nullptr) const;
  void info(std::string_view msg, const nlohmann::json& fields = nullptr) const;
  void warn(std::string_view msg, const nlohmann::json& fields = nullptr) const;
  void error(std::string_view msg, const nlohmann::json& fields = nullptr) const;
  void log(Level level, std::string_view msg, const nlohmann::json& fields) const;

 private:
  std::string name_;
  nlohmann::json fields_;
};

}  // namespace droid::log
