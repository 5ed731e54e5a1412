#include "cli/settings_command.h"

#include <array>
#include <iostream>

#include "settings/load.h"
#include "settings/merge.h"

namespace droid::runner {
namespace {

constexpr const char* kUsage =
    "usage: droid-runner settings merge [--provenance] [--strict] ORG PROJECT FOLDER USER\n"
    "\n"
    "Merges four settings files, highest level first (any may contain {}), and prints\n"
    "the effective settings as JSON on stdout.\n"
    "  --provenance  print, per field, the level that set it instead\n"
    "  --strict      refuse unknown fields instead of ignoring them with a warning\n";

int usage_error(const std::string& message) {
  std::cerr << "droid-runner settings: " << message << "\n\n" << kUsage;
  return 2;
}

int merge_command(const std::vector<std::string>& args) {
  bool provenance = false, strict = false;
  std::vector<std::string> files;
  for (const auto& a : args) {
    if (a == "--provenance") {
      provenance = true;
    } else if (a == "--strict") {
      strict = true;
    } else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 4)
    return usage_error("merge takes exactly four files (ORG PROJECT FOLDER USER), got " + std::to_string(files.size()));

  std::array<nlohmann::json, 4> levels;
  bool failed = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    settings::Loaded loaded = settings::load_settings_file(files[i]);
    std::string level(settings::level_name(settings::kLevels[i]));
    for (const auto& e : loaded.errors) std::cerr << "error: " << level << " settings " << e << "\n";
    for (const auto& w : loaded.warnings)
      std::cerr << (strict ? "error: " : "warning: ") << level << " settings " << w << "\n";
    failed = failed || !loaded.ok() || (strict && !loaded.warnings.empty());
    levels[i] = std::move(loaded.settings);
  }
  if (failed) return 1;

  settings::Merged merged = settings::merge(levels);
  for (const auto& n : merged.notes) std::cerr << "note: " << n << "\n";
  for (const auto& e : merged.errors) std::cerr << "error: " << e.str() << "\n";
  if (!merged.ok()) return 1;
  if (provenance)
    std::cout << settings::provenance_json(merged).dump(2) << "\n";
  else
    std::cout << merged.settings.dump(2) << "\n";
  return 0;
}

}  // namespace

int settings_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("missing subcommand");
  if (args[0] == "merge") return merge_command({args.begin() + 1, args.end()});
  if (args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return 0;
  }
  return usage_error("unknown subcommand '" + args[0] + "'");
}

}  // namespace droid::runner
