#include "manifest.h"

#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "exit_codes.h"
#include "yaml.h"

namespace droid::kubectl {
namespace {

using json = nlohmann::json;

// The flags that set a spec field; they cannot be combined with -f.
const std::vector<std::string>& spec_flags() {
  static const std::vector<std::string> kFlags = {
      "prompt",   "prompt-file", "repo",    "ref", "sub-path",  "repo-secret", "model",    "reasoning-effort", "auto",
      "autonomy", "environment", "timeout", "ttl", "max-turns", "push-branch", "settings", "approve"};
  return kFlags;
}

void check_enum(const std::string& flag, const std::string& value, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (a == value) return;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw UsageError("--" + flag + ": \"" + value + "\" is not one of " + list);
}

bool valid_name(const std::string& name, std::size_t max) {
  if (name.empty() || name.size() > max) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return name.front() != '-' && name.back() != '-';
}

json from_file(const cli::Flags& flags, const std::string& ns, bool namespace_explicit, const FileReader& read) {
  const std::string path = flags.value("filename");
  json doc = parse_document(read(path, "filename"), path == "-" ? "standard input" : path);
  if (!doc.is_object()) throw UsageError(path + ": not a DroidSession (expected a mapping)");
  if (doc.value("kind", "") != "DroidSession")
    throw UsageError(path + ": kind is \"" + doc.value("kind", "") + "\", expected DroidSession");
  if (doc.value("apiVersion", "") != "droid.dev/v1alpha1")
    throw UsageError(path + ": apiVersion is \"" + doc.value("apiVersion", "") + "\", expected droid.dev/v1alpha1");
  if (!doc.contains("metadata") || !doc["metadata"].is_object()) doc["metadata"] = json::object();
  json& meta = doc["metadata"];
  const std::string file_ns = meta.value("namespace", "");
  if (!file_ns.empty() && namespace_explicit && file_ns != ns)
    throw UsageError(path + ": metadata.namespace is \"" + file_ns + "\" but --namespace is \"" + ns +
                     "\"; drop one of them");
  if (file_ns.empty() || namespace_explicit) meta["namespace"] = ns;
  meta.erase("resourceVersion");
  meta.erase("uid");
  meta.erase("creationTimestamp");
  doc.erase("status");
  return doc;
}

}  // namespace

std::vector<cli::Flags::Spec> session_flag_specs() {
  std::vector<cli::Flags::Spec> specs;
  for (const auto& f : spec_flags()) specs.push_back({f, f == "approve" ? cli::Flags::Repeated : cli::Flags::Value});
  specs.push_back({"filename", cli::Flags::Value});
  specs.push_back({"name", cli::Flags::Value});
  specs.push_back({"generate-name", cli::Flags::Value});
  specs.push_back({"label", cli::Flags::Repeated});
  return specs;
}

FileReader default_file_reader() {
  return [](const std::string& path, const std::string& flag) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("--" + flag + ": cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  };
}

long long parse_duration_seconds(const std::string& text, const std::string& flag) {
  const std::string bad = "--" + flag + ": \"" + text + "\" is not a duration (examples: 600, 90s, 30m, 2h, 1h30m)";
  if (text.empty()) throw UsageError(bad);
  long long total = 0;
  long long number = -1;
  bool any_unit = false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (number > 100000000) throw UsageError(bad);
      number = (number < 0 ? 0 : number * 10) + (c - '0');
      continue;
    }
    if (number < 0) throw UsageError(bad);
    if (c == 'h') {
      total += number * 3600;
    } else if (c == 'm') {
      total += number * 60;
    } else if (c == 's') {
      total += number;
    } else {
      throw UsageError(bad);
    }
    number = -1;
    any_unit = true;
  }
  if (number >= 0) {
    if (any_unit) throw UsageError(bad);  // "1h30" : a unit is missing
    total += number;
  }
  return total;
}

json session_manifest(const cli::Flags& flags, const std::string& ns, bool namespace_explicit, const FileReader& read) {
  json session;
  if (flags.has("filename")) {
    for (const auto& f : spec_flags())
      if (flags.has(f)) throw UsageError("--" + f + " cannot be combined with -f; set it in the file");
    session = from_file(flags, ns, namespace_explicit, read);
  } else {
    json spec = json::object();
    if (flags.has("prompt") && flags.has("prompt-file")) throw UsageError("give --prompt or --prompt-file, not both");
    std::string prompt = flags.value("prompt");
    if (flags.has("prompt-file")) prompt = read(flags.value("prompt-file"), "prompt-file");
    if (prompt.find_first_not_of(" \t\r\n") == std::string::npos)
      throw UsageError("a session needs a prompt: give --prompt TEXT, --prompt-file FILE or -f FILE");
    spec["prompt"] = prompt;
    if (flags.has("repo")) {
      spec["repository"]["url"] = flags.value("repo");
      if (flags.has("ref")) spec["repository"]["ref"] = flags.value("ref");
      if (flags.has("sub-path")) spec["repository"]["subPath"] = flags.value("sub-path");
      if (flags.has("repo-secret")) spec["repository"]["credentialsSecretRef"]["name"] = flags.value("repo-secret");
    } else {
      for (const char* f : {"ref", "sub-path", "repo-secret"})
        if (flags.has(f)) throw UsageError(std::string("--") + f + " needs --repo URL");
    }
    if (flags.has("model")) spec["model"] = flags.value("model");
    if (flags.has("reasoning-effort")) {
      check_enum("reasoning-effort", flags.value("reasoning-effort"), {"off", "low", "medium", "high"});
      spec["reasoningEffort"] = flags.value("reasoning-effort");
    }
    if (flags.has("auto") && flags.has("autonomy")) throw UsageError("--auto and --autonomy are the same; give one");
    const std::string autonomy_flag = flags.has("auto") ? "auto" : "autonomy";
    if (flags.has(autonomy_flag)) {
      check_enum(autonomy_flag, flags.value(autonomy_flag), {"off", "low", "medium", "high"});
      spec["autonomyLevel"] = flags.value(autonomy_flag);
    }
    if (flags.has("environment")) {
      check_enum("environment", flags.value("environment"), {"ci", "sandbox", "local"});
      spec["environment"] = flags.value("environment");
    }
    if (flags.has("timeout")) {
      const long long t = parse_duration_seconds(flags.value("timeout"), "timeout");
      if (t < 1) throw UsageError("--timeout must be at least 1s");
      spec["timeoutSeconds"] = t;
    }
    if (flags.has("ttl")) spec["ttlSecondsAfterFinished"] = parse_duration_seconds(flags.value("ttl"), "ttl");
    if (flags.has("max-turns")) spec["maxTurns"] = flags.integer("max-turns", 0, 1, 10000);
    if (flags.has("push-branch")) spec["output"]["pushBranch"] = flags.value("push-branch");
    if (flags.has("settings")) {
      const std::string path = flags.value("settings");
      json settings = parse_document(read(path, "settings"), path);
      if (!settings.is_object()) throw UsageError("--settings " + path + ": expected a settings object");
      spec["settings"] = std::move(settings);
    }
    for (const auto& command : flags.values("approve")) {
      if (command.empty()) throw UsageError("--approve needs a command line");
      spec["approvals"].push_back({{"command", command}, {"comment", "approved up front by kubectl droid run"}});
    }
    session = {{"apiVersion", "droid.dev/v1alpha1"},
               {"kind", "DroidSession"},
               {"metadata", {{"namespace", ns}}},
               {"spec", spec}};
  }

  json& meta = session["metadata"];
  if (flags.has("name") && flags.has("generate-name")) throw UsageError("give --name or --generate-name, not both");
  if (flags.has("name")) {
    if (!valid_name(flags.value("name"), 63))
      throw UsageError("--name: \"" + flags.value("name") +
                       "\" is not a valid name (lower-case letters, digits and '-', at most 63 characters)");
    meta["name"] = flags.value("name");
    meta.erase("generateName");
  } else if (flags.has("generate-name")) {
    meta["generateName"] = flags.value("generate-name");
    meta.erase("name");
  }
  if (!meta.contains("name") && !meta.contains("generateName")) meta["generateName"] = "droid-";
  if (meta.contains("generateName")) {
    const std::string prefix = meta["generateName"].get<std::string>();
    if (prefix.empty() || prefix.size() > 58 || !valid_name(prefix + "x", 58))
      throw UsageError("--generate-name: \"" + prefix +
                       "\" is not a valid prefix (lower-case letters, digits and '-', at most 57 characters)");
  }
  for (const auto& label : flags.values("label")) {
    const auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("--label: \"" + label + "\" is not KEY=VALUE");
    meta["labels"][label.substr(0, eq)] = label.substr(eq + 1);
  }
  return session;
}

}  // namespace droid::kubectl
