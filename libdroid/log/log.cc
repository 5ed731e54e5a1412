#include "log/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>

namespace droid::log {
namespace {

std::atomic<int> g_min_level{static_cast<int>(Level::Info)};
std::mutex g_mu;
std::function<void(const std::string&)> g_sink;  // guarded by g_mu

}  // namespace

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

Level parse_level(std::string_view text) {
  if (text == "debug") return Level::Debug;
  if (text == "info") return Level::Info;
  if (text == "warn" || text == "warning") return Level::Warn;
  if (text == "error") return Level::Error;
  throw std::invalid_argument("unknown log level '" + std::string(text) + "': use debug, info, warn or error");
}

void set_min_level(Level level) { g_min_level.store(static_cast<int>(level)); }
Level min_level() { return static_cast<Level>(g_min_level.load()); }

void set_sink(std::function<void(const std::string&)> sink) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_sink = std::move(sink);
}

void write(Level level, std::string_view logger, std::string_view message, const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = utc_timestamp();
  line["level"] = level_name(level);
  if (!logger.empty()) line["logger"] = std::string(logger);
  line["msg"] = std::string(message);
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) {
      if (!line.contains(k)) line[k] = v;
    }
  }
  // Invalid UTF-8 in a field must not throw from a log call.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_sink) {
    g_sink(text);
    return;
  }
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

Logger::Logger(std::string name, nlohmann::json fields) : name_(std::move(name)), fields_(std::move(fields)) {
  if (!fields_.is_object()) fields_ = nlohmann::json::object();
}

Logger Logger::with(const nlohmann::json& more) const {
  nlohmann::json merged = fields_;
  if (more.is_object()) merged.update(more);
  return Logger(name_, std::move(merged));
}

void Logger::log(Level level, std::string_view msg, const nlohmann::json& fields) const {
  if (static_cast<int>(level) < static_cast<int>(min_level())) return;
  if (fields.is_object() && !fields.empty()) {
    nlohmann::json merged = fields_;
    merged.update(fields);
    write(level, name_, msg, merged);
  } else {
    write(level, name_, msg, fields_);
  }
}

void Logger::debug(std::string_view msg, const nlohmann::json& fields) const { log(Level::Debug, msg, fields); }
void Logger::info(std::string_view msg, const nlohmann::json& fields) const { log(Level::Info, msg, fields); }
void Logger::warn(std::string_view msg, const nlohmann::json& fields) const { log(Level::Warn, msg, fields); }
void Logger::error(std::string_view msg, const nlohmann::json& fields) const { log(Level::Error, msg, fields); }

}  // namespace droid::log
