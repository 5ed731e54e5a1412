// The settings of one session, as the runner assembles them (SPEC §4): the org
// level (OrgPolicies, or --settings files locally), then the repository's own
// project and folder levels, then the user level (DroidSession.spec.settings).
// Also the session's model and autonomy: asked for, else sessionDefaults, and
// always within what the merged settings permit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/risk.h"
#include "settings/merge.h"

namespace droid::runner::session {

struct Layer {
  std::string name;  // "org", "project", "folder:src/app", "user", "settings[0]"...
  nlohmann::json settings = nlohmann::json::object();
};

// <workspace>/.factory/settings.json (project), then .factory/settings.json in
// each directory on the way to `sub_path` (folder levels, outermost first).
// Missing files are skipped; unreadable or invalid ones add an error naming the
// file and field.
std::vector<Layer> repository_layers(const std::string& workspace, const std::string& sub_path,
                                     std::vector<std::string>& errors);

// Merges the layers, highest first; problems go to `errors`.
settings::Merged merge_layers(const std::vector<Layer>& layers, std::vector<std::string>& errors);

// The model: `requested`, else sessionDefaults.model. Error text when none is
// given or the settings do not permit it.
std::string resolve_model(const nlohmann::json& effective, const std::string& requested, std::string& error);

// The autonomy: `requested` (a level name), else sessionDefaults.autonomyLevel,
// else off; never above maxAutonomyLevel (an error, not a silent cap).
std::optional<policy::Autonomy> resolve_autonomy(const nlohmann::json& effective, const std::string& requested,
                                                 std::string& error);

}  // namespace droid::runner::session
