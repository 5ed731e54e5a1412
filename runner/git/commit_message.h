// The commit message of a session's changes (SPEC §6.9): a subject line git tools
// show whole, the model's summary as the body, and a trailer naming the session.
//
//   droid: Fixed calc.add (it subtracted instead of adding)
//
//   Fixed calc.add (it subtracted instead of adding); test_calc.py passes. ...
//
//   Droid-Session: team-a/fix-1
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace droid::runner::git {

// At most `max` bytes of valid UTF-8 from the summary's first line: the first sentence
// when it fits, else the words that fit followed by "..."; "changes" for an empty summary.
std::string commit_subject(std::string_view summary, std::size_t max);

// "droid: <subject>\n\n<summary>\n\nDroid-Session: <session>\n", the subject line within 72 bytes.
std::string commit_message(std::string_view summary, std::string_view session);

}  // namespace droid::runner::git
