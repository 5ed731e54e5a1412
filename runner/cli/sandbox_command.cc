#include "cli/sandbox_command.h"

#include <charconv>
#include <iostream>
#include <stdexcept>

#include "sandbox/sandbox.h"

namespace droid::runner {
namespace {

namespace sb = droid::runner::sandbox;

constexpr const char* kUsage =
    "usage: droid-runner sandbox --workspace DIR [OPTIONS] -- CMD ARGS...\n"
    "\n"
    "Runs one command in the tool sandbox: Landlock (writes only in DIR and a private\n"
    "temp dir), seccomp, rlimits, no_new_privs, a clean environment, a timeout that\n"
    "kills the whole process tree.\n"
    "  --workspace DIR        the command's working directory and $HOME (required)\n"
    "  --timeout SECONDS      wall-clock limit (default 600); exit code 124 when hit\n"
    "  --network none|gateway whether inet sockets are allowed (default none)\n"
    "  --max-output BYTES     bytes of stdout and of stderr kept (default 1048576)\n"
    "  --allow-read PATH      another read+execute tree (repeatable)\n"
    "  --deny PATH            another path that must stay unreadable (repeatable)\n"
    "  --env NAME=VALUE       a variable for the command (repeatable)\n"
    "Exit code: the command's; 124 timeout; 125 sandbox or usage error; 126 cannot\n"
    "execute; 127 not found.\n";

constexpr int kUsageError = 125;

int usage_error(const std::string& message) {
  std::cerr << "droid-runner sandbox: " << message << "\n\n" << kUsage;
  return kUsageError;
}

bool parse_number(const std::string& text, unsigned long long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

int sandbox_command(const std::vector<std::string>& args) {
  sb::Spec spec;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error(a.rfind("--", 0) == 0 ? a + " needs a value" : "missing '--'");
    const std::string& value = args[++i];
    unsigned long long n = 0;
    if (a == "--workspace") {
      spec.workspace = value;
    } else if (a == "--timeout") {
      if (!parse_number(value, n) || n == 0) return usage_error("--timeout takes a positive number of seconds");
      spec.timeout = std::chrono::seconds(n);
    } else if (a == "--network") {
      if (value == "none") {
        spec.network = sb::Network::None;
      } else if (value == "gateway") {
        spec.network = sb::Network::Gateway;
      } else {
        return usage_error("--network takes none or gateway");
      }
    } else if (a == "--max-output") {
      if (!parse_number(value, n)) return usage_error("--max-output takes a number of bytes");
      spec.max_output_bytes = n;
    } else if (a == "--allow-read") {
      spec.extra_readable.push_back(value);
    } else if (a == "--deny") {
      spec.denied.push_back(value);
    } else if (a == "--env") {
      auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return usage_error("--env takes NAME=VALUE");
      spec.env[value.substr(0, eq)] = value.substr(eq + 1);
    } else {
      return usage_error("unknown option " + a);
    }
  }
  spec.argv.assign(args.begin() + static_cast<std::ptrdiff_t>(std::min(i, args.size())), args.end());
  if (spec.workspace.empty()) return usage_error("--workspace is required");
  if (spec.argv.empty()) return usage_error("no command after '--'");

  sb::Outcome outcome;
  try {
    outcome = sb::run_sandboxed(spec);
  } catch (const std::exception& e) {
    std::cerr << "droid-runner sandbox: " << e.what() << "\n";
    return kUsageError;
  }
  std::cout << outcome.out << std::flush;
  std::cerr << outcome.err;
  if (outcome.out_truncated)
    std::cerr << "droid-runner sandbox: stdout truncated to " << spec.max_output_bytes << " of " << outcome.out_bytes
              << " bytes\n";
  if (outcome.err_truncated)
    std::cerr << "droid-runner sandbox: stderr truncated to " << spec.max_output_bytes << " of " << outcome.err_bytes
              << " bytes\n";
  if (!outcome.error.empty()) std::cerr << "droid-runner sandbox: " << outcome.error << "\n";
  if (outcome.timed_out)
    std::cerr << "droid-runner sandbox: timed out after " << spec.timeout.count() / 1000 << " s; process tree killed\n";
  return outcome.exit_code;
}

}  // namespace droid::runner
