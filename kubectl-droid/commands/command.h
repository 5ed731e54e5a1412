// The subcommands of kubectl droid, one per file. Each takes the arguments
// after its name (global flags included) and returns the exit code
// (exit_codes.h); failures are thrown as CommandError/UsageError and printed
// by main. Parsed() does what every command starts with: kubectl-style short
// options, --help, and the kubeconfig context.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "args.h"
#include "cli/flags.h"
#include "context.h"

namespace droid::kubectl {

struct Io {
  std::ostream& out;
  std::ostream& err;
  Environment env;
};

using Args = std::vector<std::string>;

int run_command(const Args& args, Io& io);
int list_command(const Args& args, Io& io);
int get_command(const Args& args, Io& io);
int logs_command(const Args& args, Io& io);
int approve_command(const Args& args, Io& io);
int reject_command(const Args& args, Io& io);
int cancel_command(const Args& args, Io& io);
int policy_command(const Args& args, Io& io);
int version_command(const Args& args, Io& io);

// The flags of a command after parsing, or nullopt when --help was given (the
// usage is then printed). Throws UsageError.
std::optional<cli::Flags> parse_command_flags(const Args& args, const std::vector<cli::Flags::Spec>& specs,
                                              const ShortFlags& shorts, const char* usage, Io& io);

// Exactly one positional NAME; UsageError naming the command otherwise.
std::string single_name(const cli::Flags& flags, const std::string& command);

// The text of -o/--output: "", "json", "yaml" (and "wide" when `wide_ok`).
std::string output_format(const cli::Flags& flags, bool wide_ok);

// Global flags shown in every command's usage.
extern const char* const kGlobalFlagsHelp;

}  // namespace droid::kubectl
