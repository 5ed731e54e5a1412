#include "hooks/tool_names.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace droid::runner::hooks {
namespace {

struct Family {
  std::initializer_list<std::string_view> names;  // ours first
};

const std::array<Family, 7>& families() {
  static const std::array<Family, 7> kFamilies = {{
      {{"shell", "Bash", "Execute"}},
      {{"read", "Read"}},
      {{"write", "Write", "Create"}},
      {{"edit", "Edit", "MultiEdit"}},
      {{"list", "LS"}},
      {{"glob", "Glob"}},
      {{"grep", "Grep"}},
  }};
  return kFamilies;
}

}  // namespace

std::vector<std::string> tool_names(std::string_view tool) {
  std::vector<std::string> out{std::string(tool)};
  for (const Family& family : families()) {
    if (std::find(family.names.begin(), family.names.end(), tool) == family.names.end()) continue;
    for (std::string_view name : family.names) {
      if (name != tool) out.emplace_back(name);
    }
    break;
  }
  return out;
}

}  // namespace droid::runner::hooks
