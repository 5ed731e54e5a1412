// Property tests of the merge (SPEC §4): over generated settings at all four
// levels, no lower level ever weakens a higher one. The checks walk the schema,
// so every field is covered by the rule it is declared with.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>

#include "settings/effective.h"
#include "settings/field_path.h"
#include "settings/merge.h"
#include "settings/schema.h"
#include "settings/settings_gen.h"
#include "settings/validate.h"

namespace droid::settings {
namespace {

using json = nlohmann::json;
using PerLevel = std::array<const json*, 4>;

bool contains(const json& list, const json& entry) { return std::find(list.begin(), list.end(), entry) != list.end(); }

class Checker {
 public:
  explicit Checker(const Merged& merged) : merged_(merged) {
    for (const auto& [path, level] : merged.provenance) {
      RC_ASSERT(provenance_.count(path) == 0u);  // one entry per field
      provenance_[path] = level;
    }
  }

  void check(const Node& node, const PerLevel& at, const json* out, const std::string& path) {
    switch (node.merge) {
      case Merge::Nested:
        for (const auto& p : node.properties) {
          PerLevel child{};
          for (std::size_t l = 0; l < 4; ++l)
            if (at[l] != nullptr && at[l]->contains(p.name)) child[l] = &(*at[l])[p.name];
          const json* out_child = out != nullptr && out->contains(p.name) ? &(*out)[p.name] : nullptr;
          check(*p.node, child, out_child, field_path(path, p.name));
        }
        break;
      case Merge::First: first(at, out, path); break;
      case Merge::Strict: strict(node, at, out, path); break;
      case Merge::Union: union_of(at, out, path); break;
      case Merge::Narrow: narrow(at, out, path); break;
      case Merge::Locked: locked(at, out, path); break;
      case Merge::None: RC_FAIL("a field under a merge rule was reached: " + path);
    }
  }

 private:
  std::size_t provenance(const std::string& path) {
    auto it = provenance_.find(path);
    RC_ASSERT(it != provenance_.end());
    return it->second;
  }

  // The scalar is the value of the highest level that sets it.
  void first(const PerLevel& at, const json* out, const std::string& path) {
    for (std::size_t l = 0; l < 4; ++l) {
      if (at[l] == nullptr) continue;
      RC_ASSERT(out != nullptr);
      RC_ASSERT(*out == *at[l]);
      RC_ASSERT(provenance(path) == l);
      return;
    }
    RC_ASSERT(out == nullptr);
  }

  // Never looser than any level that sets it, and one of the values given.
  void strict(const Node& node, const PerLevel& at, const json* out, const std::string& path) {
    bool any = false;
    for (std::size_t l = 0; l < 4; ++l) {
      if (at[l] == nullptr) continue;
      any = true;
      RC_ASSERT(out != nullptr);
      RC_ASSERT(strictness_rank(node, *out) <= strictness_rank(node, *at[l]));
    }
    RC_ASSERT(any == (out != nullptr));
    if (out == nullptr) return;
    const json* credited = at[provenance(path)];
    RC_ASSERT(credited != nullptr);
    RC_ASSERT(*credited == *out);
  }

  // No level's entry is ever removed; nothing appears that no level listed;
  // each entry is credited to the highest level that lists it.
  void union_of(const PerLevel& at, const json* out, const std::string& path) {
    bool any = false;
    for (std::size_t l = 0; l < 4; ++l) {
      if (at[l] == nullptr) continue;
      any = true;
      RC_ASSERT(out != nullptr);
      for (const auto& entry : *at[l]) RC_ASSERT(contains(*out, entry));
    }
    RC_ASSERT(any == (out != nullptr));
    if (out == nullptr) return;
    for (std::size_t i = 0; i < out->size(); ++i) {
      const json& entry = (*out)[i];
      RC_ASSERT(std::count(out->begin(), out->end(), entry) == 1);
      auto first_lister = std::find_if(at.begin(), at.end(), [&](const json* v) { return v && contains(*v, entry); });
      RC_ASSERT(first_lister != at.end());
      RC_ASSERT(provenance(item_path(path, i)) == static_cast<std::size_t>(first_lister - at.begin()));
    }
  }

  // The allow-list is exactly what every level that sets it allows: a lower
  // level may remove entries, never add one.
  void narrow(const PerLevel& at, const json* out, const std::string& path) {
    std::vector<const json*> lists;
    for (const json* v : at)
      if (v != nullptr) lists.push_back(v);
    RC_ASSERT(lists.empty() == (out == nullptr));
    if (out == nullptr) return;
    for (const json* list : lists)
      for (const auto& entry : *out) RC_ASSERT(contains(*list, entry));
    for (const auto& entry : *lists.front()) {
      bool everywhere = std::all_of(lists.begin(), lists.end(), [&](const json* l) { return contains(*l, entry); });
      RC_ASSERT(everywhere == contains(*out, entry));
    }
    bool flagged =
        std::any_of(merged_.errors.begin(), merged_.errors.end(), [&](const Problem& p) { return p.path == path; });
    RC_ASSERT(flagged == out->empty());
  }

  // Every key keeps the value of the highest level that set it.
  void locked(const PerLevel& at, const json* out, const std::string& path) {
    std::size_t keys = 0;
    for (std::size_t l = 0; l < 4; ++l) {
      if (at[l] == nullptr) continue;
      RC_ASSERT(out != nullptr);
      for (const auto& [key, value] : at[l]->items()) {
        bool set_higher = false;
        for (std::size_t h = 0; h < l; ++h) set_higher = set_higher || (at[h] != nullptr && at[h]->contains(key));
        if (set_higher) continue;
        ++keys;
        RC_ASSERT(out->contains(key));
        RC_ASSERT((*out)[key] == value);
        RC_ASSERT(provenance(field_path(path, key)) == l);
      }
    }
    if (out != nullptr) RC_ASSERT(out->size() == keys);
  }

  const Merged& merged_;
  std::map<std::string, std::size_t> provenance_;
};

std::array<json, 4> generate_levels() {
  std::array<json, 4> levels;
  for (auto& level : levels) {
    level = *testing::gen_settings();
    Validation v = validate(level);
    RC_ASSERT(v.ok());  // the generator makes only valid settings
    RC_ASSERT(v.warnings.empty());
  }
  return levels;
}

RC_GTEST_PROP(MergeProperty, NoLowerLevelWeakensAHigherOne, ()) {
  const auto levels = generate_levels();
  const Merged merged = merge(levels);
  PerLevel at{};
  for (std::size_t l = 0; l < 4; ++l) at[l] = &levels[l];
  Checker(merged).check(schema(), at, &merged.settings, "");
  RC_ASSERT(validate(merged.settings).ok() || !merged.ok());
}

RC_GTEST_PROP(MergeProperty, NoDeniedModelIsEverReenabled, ()) {
  const auto levels = generate_levels();
  const Merged merged = merge(levels);
  for (const auto& level : levels) {
    if (!level.contains("models") || !level["models"].contains("denied")) continue;
    for (const auto& model : level["models"]["denied"])
      RC_ASSERT(model_refusal(merged.settings, model.get<std::string>()).has_value());
  }
}

RC_GTEST_PROP(MergeProperty, NoLevelRaisesTheAutonomyCeiling, ()) {
  const auto levels = generate_levels();
  const Merged merged = merge(levels);
  for (const auto& level : levels) RC_ASSERT(max_autonomy(merged.settings) <= max_autonomy(level));
}

RC_GTEST_PROP(MergeProperty, MergingTheResultAgainChangesNothing, ()) {
  const auto levels = generate_levels();
  const Merged merged = merge(levels);
  RC_PRE(merged.ok());
  const json none = json::object();
  RC_ASSERT(merge({merged.settings, none, none, none}).settings == merged.settings);
  RC_ASSERT(merge({none, none, none, merged.settings}).settings == merged.settings);
}

}  // namespace
}  // namespace droid::settings
