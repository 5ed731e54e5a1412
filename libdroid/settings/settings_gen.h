// rapidcheck generators of valid settings documents, derived from the schema
// (schema.h) so that a new field is generated without touching the tests.
// Values come from small pools, so that levels often name the same model,
// command or map key and the merge rules are exercised on real conflicts.
#pragma once

#include <rapidcheck.h>
#include <nlohmann/json.hpp>

namespace droid::settings::testing {

rc::Gen<nlohmann::json> gen_settings();

}  // namespace droid::settings::testing
