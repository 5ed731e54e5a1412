#include "cli/flags.h"

#include <cerrno>
#include <cstdlib>
#include <utility>

namespace droid::cli {

Flags::Flags(std::vector<Spec> specs) : specs_(std::move(specs)) {}

const Flags::Spec* Flags::find(const std::string& name) const {
  for (const auto& s : specs_)
    if (s.name == name) return &s;
  return nullptr;
}

void Flags::parse(const std::vector<std::string>& args, bool stop_at_positional) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      return;
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a.size() > 1 && a[0] == '-') throw FlagError("unknown option " + a + " (options are spelled --name)");
      positional_.push_back(a);
      if (stop_at_positional) {
        positional_.insert(positional_.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
        return;
      }
      continue;
    }
    const auto eq = a.find('=');
    const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const Spec* spec = find(name);
    if (spec == nullptr) throw FlagError("unknown option --" + name);
    if (spec->kind == Bool) {
      if (eq != std::string::npos) throw FlagError("--" + name + " takes no value");
      values_[name].emplace_back("true");
      continue;
    }
    if (spec->kind == Switch) {
      // A following word is its value only when it is one a switch takes.
      std::string v = "true";
      if (eq != std::string::npos)
        v = a.substr(eq + 1);
      else if (i + 1 < args.size() && (args[i + 1] == "true" || args[i + 1] == "false"))
        v = args[++i];
      if (v != "true" && v != "false" && v != "1" && v != "0") {
        std::string message = "--" + name;
        message += ": expected true or false (got \"";
        message += v;
        message += "\")";
        throw FlagError(message);
      }
      values_[name] = {std::move(v)};
      continue;
    }
    std::string v;
    if (eq != std::string::npos) {
      v = a.substr(eq + 1);
    } else {
      if (i + 1 >= args.size()) throw FlagError("--" + name + " needs a value");
      v = args[++i];
    }
    if (spec->kind == Value && !values_[name].empty()) throw FlagError("--" + name + " given twice");
    values_[name].push_back(std::move(v));
  }
}

bool Flags::has(const std::string& name) const { return values_.count(name) != 0; }

std::string Flags::value(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Flags::values(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Flags::integer(const std::string& name, long long fallback, long long min, long long max) const {
  if (!has(name)) return fallback;
  const std::string v = value(name);
  errno = 0;
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < min || n > max)
    throw FlagError("--" + name + ": \"" + v + "\" is not a whole number from " + std::to_string(min) + " to " +
                    std::to_string(max));
  return n;
}

bool Flags::boolean(const std::string& name, bool fallback) const {
  if (!has(name)) return fallback;
  const std::string v = value(name);
  return v == "true" || v == "1";
}

}  // namespace droid::cli
