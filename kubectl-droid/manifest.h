// The DroidSession that `kubectl droid run` creates: from flags (--prompt,
// --repo, --model, --auto, ...) or from a file (-f FILE, YAML or JSON, "-" for
// stdin). Checks what the API server would refuse anyway (enums, a prompt, one
// source) early, with the flag's name in the message. Pure: file reading is
// the caller's `read` function.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/flags.h"

namespace droid::kubectl {

// The flags of `run` that describe the session (see manifest.cc for the list).
std::vector<cli::Flags::Spec> session_flag_specs();

// Reads a file ("-" : standard input); throws UsageError naming the flag.
using FileReader = std::function<std::string(const std::string& path, const std::string& flag)>;
FileReader default_file_reader();

// Builds the session from the flags. `ns` is the namespace to create it in
// (a file's own metadata.namespace must agree with an explicit -n). Throws
// UsageError.
nlohmann::json session_manifest(const cli::Flags& flags, const std::string& ns, bool namespace_explicit,
                                const FileReader& read);

// "90", "90s", "30m", "2h", "1h30m" -> seconds; throws UsageError naming `flag`.
long long parse_duration_seconds(const std::string& text, const std::string& flag);

}  // namespace droid::kubectl
