#include "hooks/tool_input.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>

namespace droid::runner::hooks {
namespace {

using nlohmann::json;

enum class Kind {
  Plain,   // the same value
  Path,    // ours relative to the workspace, theirs absolute
  Millis,  // ours seconds, theirs milliseconds
};

struct Key {
  std::string_view ours;
  std::string_view theirs;
  Kind kind = Kind::Plain;
};

struct Mapping {
  std::string_view ours;
  std::string_view theirs;
  std::initializer_list<Key> keys;
  bool path_always = false;  // theirs always has "path" (LS)
};

const std::array<Mapping, 7>& mappings() {
  static const std::array<Mapping, 7> kMappings = {{
      {"shell", "Bash", {{"command", "command"}, {"timeout_seconds", "timeout", Kind::Millis}}},
      {"read", "Read", {{"path", "file_path", Kind::Path}}},
      {"write", "Write", {{"path", "file_path", Kind::Path}}},
      {"edit", "Edit", {{"path", "file_path", Kind::Path}}},
      {"list", "LS", {{"path", "path", Kind::Path}}, true},
      {"glob", "Glob", {{"path", "path", Kind::Path}}},
      {"grep", "Grep", {{"path", "path", Kind::Path}, {"ignore_case", "-i"}, {"max_results", "head_limit"}}},
  }};
  return kMappings;
}

const Mapping* mapping_of(std::string_view tool) {
  for (const Mapping& m : mappings())
    if (m.ours == tool) return &m;
  return nullptr;
}

// The key of `m` whose name on `side` (&Key::ours or &Key::theirs) is `name`.
const Key* key_by(const Mapping& m, std::string_view name, std::string_view Key::*side) {
  for (const Key& k : m.keys)
    if (k.*side == name) return &k;
  return nullptr;
}

std::string absolute(const std::string& workspace, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  if (path.empty() || path == ".") return workspace;
  std::string p = path;
  while (p.rfind("./", 0) == 0) p.erase(0, 2);
  return workspace + (workspace.empty() || workspace.back() == '/' ? "" : "/") + p;
}

std::string relative(const std::string& workspace, const std::string& path) {
  if (workspace.empty() || path.empty() || path.front() != '/') return path;
  std::string root = workspace;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (path == root || path == root + "/") return ".";
  if (path.rfind(root + "/", 0) == 0) return path.substr(root.size() + 1);
  return path;  // outside the workspace: the tool refuses it with its own reason
}

json to_theirs(const Key& k, const json& v, const std::string& workspace) {
  switch (k.kind) {
    case Kind::Plain: break;
    case Kind::Path:
      if (v.is_string()) return absolute(workspace, v.get<std::string>());
      break;
    case Kind::Millis:
      if (v.is_number_integer()) return v.get<std::int64_t>() * 1000;
      if (v.is_number()) return v.get<double>() * 1000;
      break;
  }
  return v;
}

json to_ours(const Key& k, const json& v, const std::string& workspace) {
  switch (k.kind) {
    case Kind::Plain: break;
    case Kind::Path:
      if (v.is_string()) return relative(workspace, v.get<std::string>());
      break;
    case Kind::Millis:
      if (v.is_number()) {
        // Whole seconds, rounded up: a hook's limit is never cut short.
        const double ms = v.get<double>();
        return std::max<std::int64_t>(1, static_cast<std::int64_t>((ms + 999) / 1000));
      }
      break;
  }
  return v;
}

}  // namespace

HookToolCall to_hook_call(std::string_view tool, const json& arguments, const std::string& workspace) {
  const Mapping* m = mapping_of(tool);
  if (m == nullptr || !arguments.is_object()) return {std::string(m != nullptr ? m->theirs : tool), arguments};
  json out = json::object();
  for (const auto& [key, value] : arguments.items()) {
    const Key* k = key_by(*m, key, &Key::ours);
    if (k == nullptr)
      out[key] = value;
    else
      out[std::string(k->theirs)] = to_theirs(*k, value, workspace);
  }
  if (m->path_always && !out.contains("path")) out["path"] = workspace;
  return {std::string(m->theirs), out};
}

json from_hook_input(std::string_view tool, const json& tool_input, const std::string& workspace) {
  const Mapping* m = mapping_of(tool);
  if (m == nullptr || !tool_input.is_object()) return tool_input;
  json out = json::object();
  for (const auto& [key, value] : tool_input.items()) {
    if (m->ours == "shell" && key == "description") continue;
    const Key* k = key_by(*m, key, &Key::theirs);
    if (k == nullptr)
      out[key] = value;
    else
      out[std::string(k->ours)] = to_ours(*k, value, workspace);
  }
  return out;
}

}  // namespace droid::runner::hooks
