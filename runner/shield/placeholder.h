// The shield's allow-list: values that have the shape of a secret but are
// documentation or templating, never a credential: "AKIAIOSFODNN7EXAMPLE",
// "xxxxxxxx", "${DB_PASSWORD}", "<token>", "{{ .Values.password }}",
// "your-api-key-here", runs of one character.
#pragma once

#include <string_view>

namespace droid::runner::shield {

// True when `secret` is an obvious placeholder (applies to every built-in rule).
bool is_placeholder(std::string_view secret);

// True when the value of a generic assignment (password = VALUE) looks like code
// or a reference rather than a literal: a variable, a call, a word-only
// identifier, a secret-like word. `strict` adds the word-only check (used by
// rules that also demand entropy).
bool looks_like_reference(std::string_view value, bool strict);

}  // namespace droid::runner::shield
