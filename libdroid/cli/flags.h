// Command-line flags as the project's programs take them: `--name value`,
// `--name=value`, boolean `--name`, switches that also take true/false
// (`--leader-elect`, `--leader-elect=false`, `--leader-elect false`),
// repeatable flags, positionals, and `--` ending the flags. Errors name the
// flag and say what it expects.
//
//   Flags f({{"model", Flag::Value}, {"settings", Flag::Repeated}, {"stream", Flag::Bool}});
//   f.parse(args);                        // throws FlagError
//   std::string m = f.value("model", "default");
//   for (auto& s : f.values("settings")) ...
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace droid::cli {

class FlagError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Flags {
 public:
  // Bool takes no value; Switch is a Bool that may be given true or false.
  enum Kind { Bool, Value, Repeated, Switch };
  struct Spec {
    std::string name;  // without dashes
    Kind kind;
  };

  explicit Flags(std::vector<Spec> specs);

  // Everything after "--" (or the first positional when `stop_at_positional`)
  // is positional.
  void parse(const std::vector<std::string>& args, bool stop_at_positional = false);

  bool has(const std::string& name) const;
  std::string value(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> values(const std::string& name) const;
  // The value as an integer in [min, max]; FlagError naming the flag otherwise.
  long long integer(const std::string& name, long long fallback, long long min, long long max) const;
  // A Bool or Switch: true when given bare or as true/1, false as false/0.
  bool boolean(const std::string& name, bool fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  const Spec* find(const std::string& name) const;

  std::vector<Spec> specs_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace droid::cli
