// Command lines as kubectl plugins get them: kubectl passes everything after
// `kubectl droid` unchanged, so global flags (--kubeconfig, --context,
// -n/--namespace) may come before or after the command word, and kubectl's
// short options (-n NS, -nNS, -n=NS, -A, -o json, -f FILE) are expected.
// expand_short_flags() rewrites the short options a command declares into the
// long spelling cli::Flags parses; split_command() finds the command word(s).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/flags.h"

namespace droid::kubectl {

// --kubeconfig, --context, --namespace, --help: accepted by every command.
std::vector<cli::Flags::Spec> global_flag_specs();
// `specs` plus the global ones.
std::vector<cli::Flags::Spec> with_global_flags(std::vector<cli::Flags::Spec> specs);

// Short option letter -> long name; "n" (namespace) and "h" (help) are always known.
using ShortFlags = std::map<char, std::string>;

// Rewrites "-n NS", "-nNS" and "-n=NS" to "--namespace=NS" and a boolean "-A" to
// "--all-namespaces", looking up each long name's kind in `specs`. Arguments
// after "--" are left alone; "-" (stdin) is a positional. Throws cli::FlagError
// for an unknown short option.
std::vector<std::string> expand_short_flags(const std::vector<std::string>& args, const ShortFlags& shorts,
                                            const std::vector<cli::Flags::Spec>& specs);

struct CommandLine {
  std::string command;            // "run", "list", ... ("" when none was given)
  std::vector<std::string> rest;  // every other argument, in order
};

// The first argument that is neither a global flag nor a global flag's value.
CommandLine split_command(const std::vector<std::string>& args);

}  // namespace droid::kubectl
