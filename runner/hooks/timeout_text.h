// A timeout as people write it in settings: "5 s", "0.25 s".
#pragma once

#include <chrono>
#include <string>

namespace droid::runner::hooks {

std::string timeout_text(std::chrono::milliseconds timeout);

}  // namespace droid::runner::hooks
