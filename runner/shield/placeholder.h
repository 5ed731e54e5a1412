// The shield's allow-list: values that have the shape of a secret but are
// documentation or templating, never a credential: "AKIAIOSFODNN7EXAMPLE",
// "xxxxxxxx", "${DB_PASSWORD}", "<token>", "{{ .Values.password }}",
// "your-api-key-here", runs of one character.
#pragma once

#include <string_view>

namespace droid::runner::shield {

// True when `secret` is an obvious placeholder (applies to every built-in rule).
bool is_placeholder(std::string_view secret);

// True when `secret` is public by design, so leaking it discloses nothing: a
// publishable key (Mapbox "pk.", Stripe "pk_live_"/"pk_test_", Flutterwave
// "FLWPUBK", Lob "live_pub_"/"test_pub_") or a key published as an example in
// an SDK (Firebase's).
// Their secret counterparts ("sk.", "sk_live_", ...) are never public.
bool is_public_token(std::string_view secret);

// True when the value of a generic assignment (password = VALUE) looks like code
// or a reference rather than a literal: a variable, a call, a word-only
// identifier, a secret-like word. `strict` adds the word-only check (used by
// rules that also demand entropy). `quoted`: the value stands inside quotes, so
// a leading '@', '&', '*', '%' or '!' is part of a literal ("@dm1n!pw"), and a
// leading '$' is a reference only as "$NAME", "${...}" or "$(...)".
bool looks_like_reference(std::string_view value, bool strict, bool quoted = false);

// True when `name` — the text of a generic match before its value, such as
// `credentialsId: '` or `PASSWORD_MIN_LENGTH=` — names data about a secret
// rather than the secret: its last word is id, name, path, file, url, type,
// length, size, count, ttl, timeout, expiry, format, version, ... (after '_',
// '-', '.' or a lower-to-upper case change).
bool names_metadata(std::string_view name);

// True when a call binds a value to a name the way code does, not the way a
// credential is set: `binding` is the text from the name's first character to
// the value. A comma form (`define('NAME', 'v')`) needs a quoted name
// (`quote_before_name`), or it is prose ("… access token", "v"); a call form
// (`setPassword("v")`) needs a setter's name (set…, with…, put…, add…).
bool call_binding_is_code(std::string_view binding, bool quote_before_name);

}  // namespace droid::runner::shield
