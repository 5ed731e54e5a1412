#include "session/session_settings.h"

#include <filesystem>

#include "settings/effective.h"
#include "settings/load.h"

namespace droid::runner::session {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void add_layer(const fs::path& file, const std::string& name, std::vector<Layer>& out,
               std::vector<std::string>& errors) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return;
  settings::Loaded loaded = settings::load_settings_file(file.string());
  for (const auto& e : loaded.errors) {
    std::string line = name;
    line.append(" settings: ").append(e);
    errors.push_back(std::move(line));
  }
  if (loaded.ok()) out.push_back({name, std::move(loaded.settings)});
}

}  // namespace

std::vector<Layer> repository_layers(const std::string& workspace, const std::string& sub_path,
                                     std::vector<std::string>& errors) {
  std::vector<Layer> out;
  const fs::path root(workspace);
  add_layer(root / ".factory" / "settings.json", "project", out, errors);
  fs::path dir;
  for (const auto& part : fs::path(sub_path).lexically_normal()) {
    const std::string p = part.string();
    if (p.empty() || p == "." || p == "/") continue;
    if (p == "..") {
      errors.push_back("repository.subPath: \"" + sub_path + "\" leaves the repository; use a path inside it");
      return out;
    }
    dir /= part;
    add_layer(root / dir / ".factory" / "settings.json", "folder:" + dir.string(), out, errors);
  }
  return out;
}

settings::Merged merge_layers(const std::vector<Layer>& layers, std::vector<std::string>& errors) {
  std::vector<json> levels;
  std::vector<std::string> names;
  for (const auto& l : layers) {
    levels.push_back(l.settings);
    names.push_back(l.name);
  }
  settings::Merged merged = settings::merge_levels(levels, names);
  for (const auto& e : merged.errors) errors.push_back(e.str());
  return merged;
}

std::string resolve_model(const json& effective, const std::string& requested, std::string& error) {
  std::string model = requested;
  if (model.empty()) {
    const auto d = effective.find("sessionDefaults");
    if (d != effective.end() && d->is_object()) model = d->value("model", "");
  }
  if (model.empty()) {
    error = "no model: pass --model, or set sessionDefaults.model in the settings";
    return {};
  }
  if (auto refusal = settings::model_refusal(effective, model)) {
    error = *refusal;
    return {};
  }
  return model;
}

std::optional<policy::Autonomy> resolve_autonomy(const json& effective, const std::string& requested,
                                                 std::string& error) {
  std::string name = requested;
  if (name.empty()) {
    const auto d = effective.find("sessionDefaults");
    if (d != effective.end() && d->is_object()) name = d->value("autonomyLevel", "");
  }
  if (name.empty()) name = "off";
  const auto level = settings::parse_autonomy(name);
  if (!level) {
    error = "autonomy \"" + name + "\" is not one of off, low, medium, high";
    return std::nullopt;
  }
  if (auto refusal = settings::autonomy_refusal(effective, *level)) {
    error = *refusal;
    return std::nullopt;
  }
  return *level;  // policy::Autonomy is settings::Autonomy
}

}  // namespace droid::runner::session
