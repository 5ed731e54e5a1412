#include "webhook/approver_stamp.h"

#include <set>

namespace droid::op {
namespace {

using json = nlohmann::json;

struct ListField {
  const char* list;  // spec.<list>
  const char* by;
  const char* at;
};
constexpr ListField kLists[] = {{"approvals", "approvedBy", "approvedAt"}, {"rejections", "rejectedBy", "rejectedAt"}};

const json& list_of(const json& object, const char* list) {
  static const json kEmpty = json::array();
  const auto spec = object.find("spec");
  if (spec == object.end() || !spec->is_object()) return kEmpty;
  const auto it = spec->find(list);
  return it != spec->end() && it->is_array() ? *it : kEmpty;
}

const json* entry_for(const json& list, const json& command) {
  for (const auto& e : list)
    if (e.is_object() && e.contains("command") && e["command"] == command) return &e;
  return nullptr;
}

json field_or_null(const json& entry, const char* key) { return entry.contains(key) ? entry[key] : json(nullptr); }

}  // namespace

json stamp_decisions(const json& object, const json& old_object, const std::string& username, const std::string& now) {
  json patch = json::array();
  for (const ListField& f : kLists) {
    const json& items = list_of(object, f.list);
    const json& old_items = list_of(old_object, f.list);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json& e = items[i];
      if (!e.is_object() || !e.contains("command")) continue;
      json by = username;
      json at = now;
      if (const json* old = entry_for(old_items, e["command"])) {
        by = field_or_null(*old, f.by);
        at = field_or_null(*old, f.at);
      }
      const std::string base = std::string("/spec/") + f.list + "/" + std::to_string(i) + "/";
      for (const auto& [key, value] : {std::pair{f.by, by}, std::pair{f.at, at}}) {
        if (field_or_null(e, key) == value) continue;
        if (value.is_null())
          patch.push_back({{"op", "remove"}, {"path", base + key}});
        else
          patch.push_back({{"op", "add"}, {"path", base + key}, {"value", value}});
      }
    }
  }
  return patch;
}

std::string check_decisions(const json& object, const json& old_object, const std::string& username) {
  std::set<std::string> approved;
  for (const ListField& f : kLists) {
    const json& items = list_of(object, f.list);
    const json& old_items = list_of(old_object, f.list);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json& e = items[i];
      if (!e.is_object() || !e.contains("command") || !e["command"].is_string()) continue;
      const std::string field = std::string("spec.") + f.list + "[" + std::to_string(i) + "]." + f.by;
      if (const json* old = entry_for(old_items, e["command"])) {
        if (field_or_null(e, f.by) != field_or_null(*old, f.by) || field_or_null(e, f.at) != field_or_null(*old, f.at))
          return field + ": who decided, and when, cannot be changed (remove the entry and add it again)";
      } else if (field_or_null(e, f.by) != json(username)) {
        std::string message = field;
        message += ": is stamped by the admission webhook from the authenticated user (";
        message += username;
        message += "); remove it";
        return message;
      }
      const std::string command = e["command"].get<std::string>();
      if (f.list == std::string("approvals"))
        approved.insert(command);
      else if (approved.contains(command))
        return std::string("spec.rejections[") + std::to_string(i) + "].command: '" + command +
               "' is also in spec.approvals; a command is either approved or rejected";
    }
  }
  return "";
}

}  // namespace droid::op
