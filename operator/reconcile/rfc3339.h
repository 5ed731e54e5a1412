// Kubernetes timestamps (metav1.Time) for the reconcilers: libdroid/contract's RFC 3339
// (UTC, second precision on output; fractional seconds and numeric offsets accepted), under
// the operator's names.
#pragma once

#include "contract/rfc3339.h"

namespace droid::op {

using contract::Clock;
using contract::format_rfc3339;
using contract::parse_rfc3339;

}  // namespace droid::op
