#include "hooks/hook_config.h"

#include <cmath>
#include <stdexcept>

#include <re2/re2.h>

#include "hooks/tool_names.h"

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

[[noreturn]] void invalid(const std::string& path, const std::string& message) {
  throw std::invalid_argument(path + ": " + message);
}

const char* type_name(const json& value) { return value.type_name(); }

std::string child(const std::string& path, const std::string& key) {
  std::string out = path;
  out.append(".").append(key);
  return out;
}

std::string required_string(const json& object, const std::string& key, const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end()) invalid(path + "." + key, "is required");
  if (!it->is_string()) invalid(path + "." + key, std::string("must be a string, not ") + type_name(*it));
  if (it->get_ref<const std::string&>().empty()) invalid(path + "." + key, "must not be empty");
  return it->get<std::string>();
}

std::chrono::milliseconds parse_timeout(const json& value, const std::string& path) {
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0) {
    invalid(path, "must be a positive number of seconds");
  }
  const double ms = std::ceil(value.get<double>() * 1000.0);
  if (ms > 24.0 * 3600 * 1000) invalid(path, "must be at most a day (86400 seconds)");
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

void check_url(const std::string& url, const std::string& path) {
  const bool http = url.rfind("http://", 0) == 0;
  const bool https = url.rfind("https://", 0) == 0;
  if (!http && !https) invalid(path, "must be an http:// or https:// URL");
  const std::size_t host_start = http ? 7 : 8;
  if (url.size() <= host_start || url[host_start] == '/' || url[host_start] == ':') invalid(path, "has no host");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      invalid(path, "must not contain spaces or control characters");
  }
}

HookSpec parse_hook(const json& value, const std::string& path) {
  if (!value.is_object()) invalid(path, std::string("must be an object, not ") + type_name(value));
  HookSpec hook;
  hook.path = path;
  const std::string type = required_string(value, "type", path);
  if (type == "command") {
    hook.type = HookType::Command;
    hook.command = required_string(value, "command", path);
  } else if (type == "http") {
    hook.type = HookType::Http;
    hook.url = required_string(value, "url", path);
    check_url(hook.url, path + ".url");
  } else {
    invalid(path + ".type", "must be \"command\" or \"http\", not \"" + type + "\"");
  }
  for (const auto& [key, field] : value.items()) {
    const std::string field_path = child(path, key);
    if (key == "timeout") {
      hook.timeout = parse_timeout(field, field_path);
    } else if (key == "headers") {
      if (hook.type != HookType::Http) invalid(field_path, "is only for http hooks");
      if (!field.is_object()) invalid(field_path, "must be an object of strings");
      for (const auto& [name, header] : field.items()) {
        const std::string header_path = child(field_path, name);
        if (!header.is_string()) invalid(header_path, "must be a string");
        if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos) {
          invalid(header_path, "is not a valid header name");
        }
        if (header.get_ref<const std::string&>().find_first_of("\r\n") != std::string::npos) {
          invalid(header_path, "must not contain line breaks");
        }
        hook.headers[name] = header.get<std::string>();
      }
    } else if (key == "command" && hook.type != HookType::Command) {
      invalid(field_path, "is only for command hooks");
    } else if (key == "url" && hook.type != HookType::Http) {
      invalid(field_path, "is only for http hooks");
    }
    // Other keys (statusMessage, async, ...) are Claude Code / Factory options we do not act on.
  }
  return hook;
}

MatcherGroup parse_group(Event event, const json& value, const std::string& path) {
  if (!value.is_object()) invalid(path, std::string("must be an object, not ") + type_name(value));
  MatcherGroup group;
  if (const auto it = value.find("matcher"); it != value.end() && !it->is_null()) {
    if (!it->is_string()) invalid(path + ".matcher", std::string("must be a string, not ") + type_name(*it));
    group.matcher = it->get<std::string>();
    if (group.matcher != "*" && !group.matcher.empty() && has_matcher(event)) {
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const RE2>(group.matcher, options);
      if (!re->ok()) invalid(path + ".matcher", "is not a valid regular expression: " + re->error());
      group.pattern = std::move(re);
    }
  }
  const auto hooks = value.find("hooks");
  if (hooks == value.end()) invalid(path + ".hooks", "is required");
  if (!hooks->is_array()) invalid(path + ".hooks", std::string("must be an array, not ") + type_name(*hooks));
  for (std::size_t i = 0; i < hooks->size(); ++i) {
    group.hooks.push_back(parse_hook((*hooks)[i], path + ".hooks[" + std::to_string(i) + "]"));
  }
  return group;
}

}  // namespace

std::string HookSpec::describe() const {
  return path + (type == HookType::Command ? " (command \"" + command + "\")" : " (http " + url + ")");
}

bool MatcherGroup::matches(std::string_view tool) const {
  if (!pattern) return true;
  for (const std::string& name : tool_names(tool)) {
    if (RE2::FullMatch(name, *pattern)) return true;
  }
  return false;
}

bool HookConfig::empty() const {
  for (const auto& groups : events) {
    for (const auto& group : groups) {
      if (!group.hooks.empty()) return false;
    }
  }
  return true;
}

HookConfig parse_hook_config(const json& settings) {
  HookConfig config;
  if (settings.is_null()) return config;
  if (!settings.is_object()) invalid("hooks", std::string("must be an object, not ") + type_name(settings));
  for (const auto& [name, groups] : settings.items()) {
    const std::string path = "hooks." + name;
    const std::optional<Event> event = parse_event(name);
    if (!event) invalid(path, "unknown hook event; valid events are " + event_names());
    if (!groups.is_array()) invalid(path, std::string("must be an array, not ") + type_name(groups));
    auto& out = config.events.at(static_cast<std::size_t>(*event));
    for (std::size_t i = 0; i < groups.size(); ++i) {
      out.push_back(parse_group(*event, groups[i], path + "[" + std::to_string(i) + "]"));
    }
  }
  return config;
}

}  // namespace droid::runner::hooks
