#include "cli/shield_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "settings/load.h"
#include "shield/shield.h"

namespace droid::runner {
namespace {

constexpr const char* kUsage =
    "usage: droid-runner shield scan [--settings FILE] [--known-secrets FILE] FILE|-\n"
    "\n"
    "Scans FILE (or standard input for -) for secrets and prints one JSON line per\n"
    "finding: rule, description, line, column and the match with secrets redacted.\n"
    "Exits 1 when anything is found, 0 when the text is clean.\n"
    "  --settings FILE       effective settings JSON (shield.customPatterns, shield.enabled)\n"
    "  --known-secrets FILE  literal secrets, one per line, always reported\n";

int usage_error(const std::string& message) {
  std::cerr << "droid-runner shield: " << message << "\n\n" << kUsage;
  return 2;
}

bool read_input(const std::string& path, std::string& out) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

int scan_command(const std::vector<std::string>& args) {
  std::string settings_path, known_path, input;
  bool have_input = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--settings" || a == "--known-secrets") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a file");
      (a == "--settings" ? settings_path : known_path) = args[++i];
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else if (have_input) {
      return usage_error("scan takes one FILE (or -)");
    } else {
      input = a;
      have_input = true;
    }
  }
  if (!have_input) return usage_error("scan needs a FILE (or - for standard input)");

  nlohmann::json settings = nlohmann::json::object();
  if (!settings_path.empty()) {
    settings::Loaded loaded = settings::load_settings_file(settings_path);
    for (const auto& w : loaded.warnings) std::cerr << "warning: settings " << w << "\n";
    for (const auto& e : loaded.errors) std::cerr << "error: settings " << e << "\n";
    if (!loaded.ok()) return 2;
    settings = std::move(loaded.settings);
    // `shield scan` is an explicit request: scan even where the session would not.
    if (settings.contains("shield") && settings["shield"].is_object()) settings["shield"]["enabled"] = true;
  }
  std::vector<std::string> known;
  if (!known_path.empty()) {
    std::ifstream in(known_path);
    if (!in) return usage_error("cannot read " + known_path);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) known.push_back(line);
  }
  std::string text;
  if (!read_input(input, text)) return usage_error("cannot read " + input);

  try {
    const shield::Shield guard(settings, known, shield::random_hash_key());
    const auto findings = guard.scanner().scan(text);
    for (const auto& f : findings) {
      std::string description(shield::kKnownSecretRule);
      for (const auto& r : guard.scanner().rules())
        if (r.id == f.rule) description = r.description;
      if (f.rule == shield::kKnownSecretRule) description = "a credential given to the runner";
      nlohmann::json line = {{"rule", f.rule},
                             {"description", description},
                             {"line", f.line},
                             {"column", f.column},
                             {"match", guard.redactor().redact_range(text, f.match_begin, f.match_end, findings)}};
      std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return findings.empty() ? 0 : 1;
  } catch (const std::invalid_argument& e) {
    std::cerr << "droid-runner shield: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

int shield_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("missing subcommand");
  if (args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return 0;
  }
  if (args[0] == "scan") return scan_command(std::vector<std::string>(args.begin() + 1, args.end()));
  return usage_error("unknown subcommand '" + args[0] + "'");
}

}  // namespace droid::runner
