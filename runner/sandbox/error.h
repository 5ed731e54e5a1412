// Errors of the tool sandbox: SandboxError is thrown when the sandbox cannot
// be set up as asked (it never runs a command half-sandboxed), and
// errno_message() is a thread-safe strerror for building its messages.
#pragma once

#include <stdexcept>
#include <string>

namespace droid::runner::sandbox {

class SandboxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string errno_message(int error);

}  // namespace droid::runner::sandbox
