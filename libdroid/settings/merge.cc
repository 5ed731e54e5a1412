#include "settings/merge.h"

#include <algorithm>
#include <optional>

#include "settings/field_path.h"
#include "settings/schema.h"

namespace droid::settings {
namespace {

using json = nlohmann::json;
// The value each level gives a field, or nullptr where a level does not set it.
using PerLevel = std::vector<const json*>;

bool contains(const json& list, const json& entry) { return std::find(list.begin(), list.end(), entry) != list.end(); }

class Merger {
 public:
  explicit Merger(Merged& out) : out_(out) {}

  std::optional<json> merge(const Node& node, const PerLevel& at, const std::string& path) {
    switch (node.merge) {
      case Merge::Nested: return nested(node, at, path);
      case Merge::First: return first(at, path);
      case Merge::Strict: return strictest(node, at, path);
      case Merge::Union: return union_of(at, path);
      case Merge::Narrow: return narrowed(at, path);
      case Merge::Locked: return locked(at, path);
      case Merge::None: break;
    }
    return std::nullopt;
  }

 private:
  void set_by(const std::string& path, std::size_t level) { out_.provenance.emplace_back(path, level); }
  const std::string& name(std::size_t level) const { return out_.level_names[level]; }
  void note(std::string text) { out_.notes.push_back(std::move(text)); }

  std::optional<json> nested(const Node& node, const PerLevel& at, const std::string& path) {
    json out = json::object();
    for (const auto& p : node.properties) {
      PerLevel child(at.size(), nullptr);
      for (std::size_t l = 0; l < at.size(); ++l) {
        if (at[l] == nullptr || !at[l]->is_object()) continue;
        auto it = at[l]->find(p.name);
        if (it != at[l]->end()) child[l] = &*it;
      }
      if (auto merged = merge(*p.node, child, field_path(path, p.name))) out[p.name] = std::move(*merged);
    }
    if (out.empty()) return std::nullopt;
    return out;
  }

  std::optional<json> first(const PerLevel& at, const std::string& path) {
    std::optional<json> chosen;
    std::size_t from = 0;
    for (std::size_t l = 0; l < at.size(); ++l) {
      if (at[l] == nullptr) continue;
      if (!chosen) {
        chosen = *at[l];
        from = l;
        set_by(path, l);
      } else if (*at[l] != *chosen) {
        note(name(l) + " sets " + path + " to " + at[l]->dump() + ", but " + name(from) + " already set it to " +
             chosen->dump() + ", which wins");
      }
    }
    return chosen;
  }

  std::optional<json> strictest(const Node& node, const PerLevel& at, const std::string& path) {
    std::optional<json> chosen;
    std::size_t from = 0;
    for (std::size_t l = 0; l < at.size(); ++l) {
      if (at[l] == nullptr) continue;
      if (!chosen || strictness_rank(node, *at[l]) < strictness_rank(node, *chosen)) {
        chosen = *at[l];
        from = l;
      } else if (strictness_rank(node, *at[l]) > strictness_rank(node, *chosen)) {
        note(name(l) + " sets " + path + " to " + at[l]->dump() + ", looser than " + chosen->dump() + " from " +
             name(from) + "; a lower level may only make it stricter");
      }
    }
    if (chosen) set_by(path, from);
    return chosen;
  }

  std::optional<json> union_of(const PerLevel& at, const std::string& path) {
    std::optional<json> out;
    for (std::size_t l = 0; l < at.size(); ++l) {
      if (at[l] == nullptr || !at[l]->is_array()) continue;
      if (!out) out = json::array();
      for (const auto& entry : *at[l]) {
        if (contains(*out, entry)) continue;
        set_by(item_path(path, out->size()), l);
        out->push_back(entry);
      }
    }
    return out;
  }

  std::optional<json> narrowed(const PerLevel& at, const std::string& path) {
    std::optional<json> out;
    std::size_t from = 0;
    std::string narrowed_by;
    for (std::size_t l = 0; l < at.size(); ++l) {
      if (at[l] == nullptr || !at[l]->is_array()) continue;
      if (!out) {
        out = json::array();
        from = l;
        for (const auto& entry : *at[l])
          if (!contains(*out, entry)) out->push_back(entry);
        continue;
      }
      for (const auto& entry : *at[l])
        if (!contains(*out, entry))
          note(name(l) + " lists " + entry.dump() + " in " + path + ", which a higher level does not allow; ignored");
      json kept = json::array();
      for (const auto& entry : *out)
        if (contains(*at[l], entry)) kept.push_back(entry);
      if (kept.size() != out->size()) narrowed_by += (narrowed_by.empty() ? "" : ", ") + name(l);
      out = std::move(kept);
    }
    if (!out) return std::nullopt;
    if (out->empty()) {
      out_.errors.push_back({path, "the allow-lists of " + name(from) + " and " + narrowed_by +
                                       " have no entry in common, so no model could be used; make the lower "
                                       "level's list share at least one entry with the higher one's"});
    }
    for (std::size_t i = 0; i < out->size(); ++i) set_by(item_path(path, i), from);
    return out;
  }

  std::optional<json> locked(const PerLevel& at, const std::string& path) {
    std::optional<json> out;
    std::vector<std::pair<std::string, std::size_t>> owner;  // key -> level, in insertion order
    for (std::size_t l = 0; l < at.size(); ++l) {
      if (at[l] == nullptr || !at[l]->is_object()) continue;
      if (!out) out = json::object();
      for (const auto& [key, value] : at[l]->items()) {
        auto it = out->find(key);
        if (it == out->end()) {
          (*out)[key] = value;
          owner.emplace_back(key, l);
        } else if (*it != value) {
          std::size_t by = 0;
          for (const auto& [owned, level] : owner)
            if (owned == key) by = level;
          note(name(l) + " sets " + field_path(path, key) + ", which " + name(by) +
               " set first and so locked; ignored");
        }
      }
    }
    for (const auto& [key, level] : owner) set_by(field_path(path, key), level);
    return out;
  }

  Merged& out_;
};

}  // namespace

Merged merge_levels(const std::vector<json>& levels, const std::vector<std::string>& names) {
  Merged out;
  out.level_names = names;
  out.level_names.resize(levels.size());
  PerLevel at;
  at.reserve(levels.size());
  for (const auto& level : levels) at.push_back(&level);
  if (auto merged = Merger(out).merge(schema(), at, "")) out.settings = std::move(*merged);
  return out;
}

Merged merge(const std::array<json, 4>& levels) {
  std::vector<std::string> names;
  names.reserve(kLevels.size());
  for (Level level : kLevels) names.emplace_back(level_name(level));
  return merge_levels({levels.begin(), levels.end()}, names);
}

nlohmann::ordered_json provenance_json(const Merged& merged) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [path, level] : merged.provenance) out[path] = merged.level_names.at(level);
  return out;
}

}  // namespace droid::settings
