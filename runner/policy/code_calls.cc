#include "policy/code_calls.h"

#include <cctype>

namespace droid::runner::policy {
namespace {

struct Call {
  std::string_view name;       // the function or method name
  std::string_view command;    // what a call with a path as its first argument runs
  std::string_view recursive;  // when the arguments hold this word: rm -r -f instead
  std::string_view owners;     // "os fs": only as os.NAME or fs.NAME (common names); "": any
};

// Deleting trees and files in the interpreters' standard libraries.
constexpr Call kCalls[] = {
    {"rmtree", "rm -r -f", "", ""},               // Python shutil, Perl File::Path
    {"remove_tree", "rm -r -f", "", ""},          // Perl File::Path
    {"rm_rf", "rm -r -f", "", ""},                // Ruby FileUtils
    {"rm_r", "rm -r -f", "", ""},                 // Ruby FileUtils
    {"remove_dir", "rm -r -f", "", ""},           // Ruby FileUtils
    {"remove_entry", "rm -r -f", "", ""},         // Ruby FileUtils
    {"remove_entry_secure", "rm -r -f", "", ""},  // Ruby FileUtils
    {"RemoveAll", "rm -r -f", "", ""},            // Go os
    {"remove_dir_all", "rm -r -f", "", ""},       // Rust std::fs
    {"deleteRecursively", "rm -r -f", "", ""},    // Kotlin
    {"rmSync", "rm", "recursive", ""},            // Node fs
    {"rmdirSync", "rmdir", "recursive", ""},      // Node fs
    {"unlinkSync", "rm", "", ""},                 // Node fs
    {"rm", "rm", "recursive", "fs promises FileUtils"},
    {"rmdir", "rmdir", "recursive", "fs promises os Dir FileUtils"},
    {"unlink", "rm", "", "os fs promises File Path"},  // and Perl's and PHP's unlink, below
    {"remove", "rm", "", "os"},                        // Python os, Go os
    {"delete", "rm", "", "Files"},                     // Java nio
};

bool identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The word before ".name" or "::name" at code[start] ("" when there is none).
std::string_view owner_of(std::string_view code, std::size_t start) {
  std::size_t end = start;
  if (end >= 1 && code[end - 1] == '.') {
    end -= 1;
  } else if (end >= 2 && code[end - 1] == ':' && code[end - 2] == ':') {
    end -= 2;
  } else {
    return {};
  }
  std::size_t from = end;
  while (from > 0 && identifier_char(code[from - 1])) --from;
  return code.substr(from, end - from);
}

// Whether `owner` is one of the space-separated words in `owners`.
bool among(std::string_view owners, std::string_view owner) {
  while (!owners.empty()) {
    std::size_t sp = owners.find(' ');
    if (owners.substr(0, sp) == owner) return true;
    if (sp == std::string_view::npos) break;
    owners.remove_prefix(sp + 1);
  }
  return false;
}

const Call* call_at(std::string_view code, std::size_t start, std::string_view name) {
  for (const auto& c : kCalls) {
    if (c.name != name) continue;
    std::string_view owner = owner_of(code, start);
    // Perl's and PHP's unlink is a plain function: unlink("x"), unlink "x".
    if (c.owners.empty() || among(c.owners, owner) || (name == "unlink" && owner.empty())) return &c;
  }
  return nullptr;
}

}  // namespace

std::string commands_in_calls(std::string_view code) {
  constexpr std::size_t kArgumentsWindow = 256;
  std::string out;
  std::size_t i = 0;
  while (i < code.size()) {
    if (!identifier_char(code[i]) || (i > 0 && identifier_char(code[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < code.size() && identifier_char(code[end])) ++end;
    const Call* call = call_at(code, i, code.substr(i, end - i));
    i = end;
    if (call == nullptr) continue;
    // The arguments: "(" or, in Ruby and Perl, blanks; then the first string literal.
    std::size_t k = end;
    while (k < code.size() && (code[k] == ' ' || code[k] == '\t')) ++k;
    bool parenthesised = k < code.size() && code[k] == '(';
    if (parenthesised)
      ++k;
    else if (k == end)
      continue;  // a name followed by neither: not a call
    while (k < code.size() && (code[k] == ' ' || code[k] == '\t')) ++k;
    if (k >= code.size() || (code[k] != '"' && code[k] != '\'' && code[k] != '`')) continue;
    char quote = code[k];
    std::size_t close = code.find(quote, k + 1);
    if (close == std::string_view::npos) continue;
    std::string_view path = code.substr(k + 1, close - k - 1);
    if (path.empty()) continue;
    std::string_view arguments = code.substr(close, kArgumentsWindow);
    std::size_t stop = parenthesised ? arguments.find(')') : arguments.find_first_of(";\n");
    if (stop != std::string_view::npos) arguments = arguments.substr(0, stop);
    bool recursive = !call->recursive.empty() && arguments.find(call->recursive) != std::string_view::npos;
    out += recursive ? std::string_view("rm -r -f") : call->command;
    out += ' ';
    out += path;
    out += '\n';
  }
  return out;
}

}  // namespace droid::runner::policy
