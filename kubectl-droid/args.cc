#include "args.h"

#include <utility>

namespace droid::kubectl {
namespace {

const cli::Flags::Spec* find_spec(const std::vector<cli::Flags::Spec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

std::vector<cli::Flags::Spec> global_flag_specs() {
  return {{"kubeconfig", cli::Flags::Value},
          {"context", cli::Flags::Value},
          {"namespace", cli::Flags::Value},
          {"help", cli::Flags::Bool}};
}

std::vector<cli::Flags::Spec> with_global_flags(std::vector<cli::Flags::Spec> specs) {
  for (auto& g : global_flag_specs()) specs.push_back(std::move(g));
  return specs;
}

std::vector<std::string> expand_short_flags(const std::vector<std::string>& args, const ShortFlags& shorts,
                                            const std::vector<cli::Flags::Spec>& specs) {
  ShortFlags all = shorts;
  all.emplace('n', "namespace");
  all.emplace('h', "help");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      // A long option's value is taken as it is, even when it starts with '-'.
      out.push_back(a);
      const cli::Flags::Spec* spec = a.find('=') == std::string::npos ? find_spec(specs, a.substr(2)) : nullptr;
      if (spec != nullptr && spec->kind != cli::Flags::Bool && i + 1 < args.size()) out.push_back(args[++i]);
      continue;
    }
    if (a.size() < 2 || a[0] != '-') {
      out.push_back(a);
      continue;
    }
    const auto it = all.find(a[1]);
    if (it == all.end()) throw cli::FlagError("unknown option " + a + " (see --help)");
    const cli::Flags::Spec* spec = find_spec(specs, it->second);
    if (spec == nullptr) throw cli::FlagError("unknown option " + a + " (see --help)");
    std::string attached = a.substr(2);
    if (!attached.empty() && attached[0] == '=') attached.erase(0, 1);
    if (spec->kind == cli::Flags::Bool) {
      if (a.size() > 2) throw cli::FlagError("-" + std::string(1, a[1]) + " takes no value");
      out.push_back("--" + spec->name);
    } else if (a.size() > 2) {
      out.push_back("--" + spec->name + "=" + attached);
    } else {
      if (i + 1 >= args.size()) throw cli::FlagError("-" + std::string(1, a[1]) + " needs a value");
      out.push_back("--" + spec->name + "=" + args[++i]);
    }
  }
  return out;
}

CommandLine split_command(const std::vector<std::string>& args) {
  CommandLine line;
  bool found = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (found) {
      line.rest.push_back(a);
      continue;
    }
    const bool takes_value = a == "--kubeconfig" || a == "--context" || a == "--namespace" || a == "-n";
    if (takes_value) {
      line.rest.push_back(a);
      if (i + 1 < args.size()) line.rest.push_back(args[++i]);
      continue;
    }
    if (!a.empty() && a[0] == '-') {
      line.rest.push_back(a);
      continue;
    }
    line.command = a;
    found = true;
  }
  return line;
}

}  // namespace droid::kubectl
