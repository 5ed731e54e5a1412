#include "file_feed.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace droid::egress {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw FileFeedError(where + ": " + what); }

std::map<std::string, SecretData> read_secrets(const std::string& dir) {
  std::map<std::string, SecretData> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("secretsDir", "\"" + dir + "\" is not a directory");
  for (const auto& secret : fs::directory_iterator(dir)) {
    const std::string name = secret.path().filename().string();
    if (name.starts_with("..") || !secret.is_directory()) continue;
    SecretData data;
    for (const auto& entry : fs::directory_iterator(secret.path())) {
      const std::string key = entry.path().filename().string();
      if (key.starts_with("..") || !entry.is_regular_file()) continue;  // is_regular_file follows symlinks
      data[key] = read_file(entry.path().string());
    }
    out[name] = std::move(data);
  }
  return out;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileFeedError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

FileFeed::FileFeed(std::string path, std::shared_ptr<SessionTable> table)
    : path_(std::move(path)), table_(std::move(table)) {}

void FileFeed::load() {
  try {
    const json doc = json::parse(read_file(path_), nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) fail("sessions file", "must be a JSON object {tokenKey|tokenKeyFile, secretsDir, sessions}");
    for (const auto& item : doc.items()) {
      if (item.key() != "tokenKey" && item.key() != "tokenKeyFile" && item.key() != "secretsDir" &&
          item.key() != "sessions")
        fail(item.key(), "unknown field (tokenKey, tokenKeyFile, secretsDir, sessions)");
    }
    // Everything is read and checked first.
    std::string key;
    if (doc.contains("tokenKey") == doc.contains("tokenKeyFile")) fail("tokenKey", "give tokenKey or tokenKeyFile");
    if (doc.contains("tokenKey")) {
      if (!doc["tokenKey"].is_string()) fail("tokenKey", "must be a string");
      key = doc["tokenKey"].get<std::string>();
    } else {
      if (!doc["tokenKeyFile"].is_string()) fail("tokenKeyFile", "must be a string");
      key = read_file(doc["tokenKeyFile"].get<std::string>());
      while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    }
    if (key.size() < contract::kEgressTokenMinKeyBytes) fail("tokenKey", "must be at least 32 bytes");
    std::map<std::string, SecretData> secrets;
    if (doc.contains("secretsDir")) {
      if (!doc["secretsDir"].is_string()) fail("secretsDir", "must be a string");
      secrets = read_secrets(doc["secretsDir"].get<std::string>());
    }
    if (!doc.contains("sessions") || !doc["sessions"].is_array()) fail("sessions", "must be a list");
    struct Entry {
      std::string name, text, ns, pod, ip;
    };
    std::vector<Entry> entries;
    std::set<std::string> names;
    for (std::size_t i = 0; i < doc["sessions"].size(); ++i) {
      const std::string where = "sessions[" + std::to_string(i) + "]";
      const json& s = doc["sessions"][i];
      if (!s.is_object()) fail(where, "must be an object {podIP, grant}");
      for (const auto& item : s.items()) {
        if (item.key() != "podIP" && item.key() != "grant")
          fail(where + "." + item.key(), "unknown field (podIP, grant)");
      }
      if (!s.contains("podIP") || !s["podIP"].is_string()) fail(where + ".podIP", "is required (a string)");
      if (!s.contains("grant")) fail(where + ".grant", "is required");
      contract::EgressGrant grant;
      try {
        grant = contract::egress_grant_from_json(s["grant"]);
      } catch (const contract::EgressGrantError& e) {
        fail(where + ".grant", e.what());
      }
      Entry e{contract::egress_grant_name(grant.identity.uid), s["grant"].dump(), grant.identity.namespace_,
              grant.identity.pod_name, s["podIP"].get<std::string>()};
      if (!names.insert(e.name).second)
        fail(where + ".grant.session.uid", "\"" + grant.identity.uid + "\" is listed twice");
      entries.push_back(std::move(e));
    }

    // Then applied, the whole truth.
    table_->set_keys(key, "");
    std::set<std::string> secret_names;
    for (auto& [name, data] : secrets) {
      secret_names.insert(name);
      table_->put_secret(name, std::move(data));
    }
    for (const auto& name : secrets_) {
      if (secret_names.count(name) == 0) table_->remove_secret(name);
    }
    secrets_ = std::move(secret_names);
    std::set<std::pair<std::string, std::string>> pods;
    for (const auto& e : entries) {
      pods.emplace(e.ns, e.pod);
      table_->put_pod(e.ns, e.pod, e.ip);
    }
    for (const auto& [ns, pod] : pods_) {
      if (pods.count({ns, pod}) == 0) table_->remove_pod(ns, pod);
    }
    pods_ = std::move(pods);
    for (const auto& e : entries) table_->put_grant(e.name, e.text);
    for (const auto& name : grants_) {
      if (names.count(name) == 0) table_->remove_grant(name);
    }
    grants_ = std::move(names);
  } catch (const FileFeedError& e) {
    throw FileFeedError(path_ + ": " + e.what());
  } catch (const fs::filesystem_error& e) {
    throw FileFeedError(path_ + ": secretsDir: " + e.what());
  }
}

}  // namespace droid::egress
