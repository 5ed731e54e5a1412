#include "sandbox/error.h"

#include <system_error>

namespace droid::runner::sandbox {

std::string errno_message(int error) { return std::generic_category().message(error); }

}  // namespace droid::runner::sandbox
