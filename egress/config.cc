#include "config.h"

#include <ctime>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

namespace droid::egress {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw ConfigError(where + ": " + what); }

std::string get_string(const json& obj, const char* key, const std::string& where, bool required = false) {
  if (!obj.contains(key)) {
    if (required) fail(where + "." + key, "is required");
    return "";
  }
  if (!obj[key].is_string()) fail(where + "." + key, "must be a string");
  return obj[key].get<std::string>();
}

std::vector<std::string> get_strings(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!obj.contains(key)) return out;
  if (!obj[key].is_array()) fail(where + "." + key, "must be a list of strings");
  for (std::size_t i = 0; i < obj[key].size(); ++i) {
    if (!obj[key][i].is_string()) fail(where + "." + key + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back(obj[key][i].get<std::string>());
  }
  return out;
}

void split_listen(const std::string& text, const std::string& where, std::string& host, int& port) {
  const auto colon = text.rfind(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("");
    host = text.substr(0, colon);
    port = std::stoi(text.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::invalid_argument("");
  } catch (const std::exception&) {
    fail(where, "must be HOST:PORT (\"0.0.0.0:3128\"), got \"" + text + "\"");
  }
}

Destination parse_destination(const json& d, const std::string& where) {
  if (!d.is_object()) fail(where, "must be an object");
  Destination out;
  out.name = get_string(d, "name", where, true);
  const auto hosts = get_strings(d, "hosts", where);
  if (hosts.empty()) fail(where + ".hosts", "must name at least one host (\"llm.svc\" or \"*.corp\")");
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    try {
      out.hosts.emplace_back(hosts[i]);
    } catch (const std::invalid_argument& e) {
      fail(where + ".hosts[" + std::to_string(i) + "]", e.what());
    }
  }
  if (d.contains("ports")) {
    if (!d["ports"].is_array()) fail(where + ".ports", "must be a list of port numbers");
    for (const auto& p : d["ports"]) {
      if (!p.is_number_integer() || p.get<int>() < 1 || p.get<int>() > 65535)
        fail(where + ".ports", "must hold port numbers 1-65535");
      out.ports.push_back(p.get<int>());
    }
  }
  out.methods = get_strings(d, "methods", where);
  for (const auto& m : out.methods) {
    if (m.empty() || m.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
      fail(where + ".methods", "must be upper-case HTTP methods (\"POST\"), got \"" + m + "\"");
  }
  out.path_prefixes = get_strings(d, "pathPrefixes", where);
  for (const auto& p : out.path_prefixes) {
    if (!is_plain_path(p)) fail(where + ".pathPrefixes", "\"" + p + "\" must be a plain absolute path (\"/v1/\")");
  }
  if (d.contains("git")) {
    out.git_repositories = get_strings(d["git"], "repositories", where + ".git");
    if (out.git_repositories.empty()) fail(where + ".git.repositories", "must name at least one repository path");
    for (const auto& r : out.git_repositories) {
      if (!is_plain_path(r) || r.ends_with("/"))
        fail(where + ".git.repositories", "\"" + r + "\" must be a path like \"/team/app.git\"");
    }
  }
  out.tunnel = d.value("tunnel", false);
  out.address = get_string(d, "address", where);
  if (d.contains("credential")) {
    const auto& c = d["credential"];
    try {
      out.credential.type = parse_credential_type(get_string(c, "type", where + ".credential", true));
    } catch (const std::invalid_argument& e) {
      fail(where + ".credential.type", e.what());
    }
    if (out.credential.type != CredentialType::None) {
      const std::string file = get_string(c, "file", where + ".credential", true);
      std::string value = read_file(file);
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) fail(where + ".credential.file", "\"" + file + "\" is empty");
      if (value.find_first_of("\r\n") != std::string::npos)
        fail(where + ".credential.file", "\"" + file + "\" must hold one line");
      out.credential.value = std::move(value);
    }
  }
  if (d.contains("tls")) {
    const auto& t = d["tls"];
    out.tls.enabled = true;
    if (const auto f = get_string(t, "caFile", where + ".tls"); !f.empty()) out.tls.ca_pem = read_file(f);
    const auto cert = get_string(t, "certFile", where + ".tls");
    const auto key = get_string(t, "keyFile", where + ".tls");
    if (cert.empty() != key.empty()) fail(where + ".tls", "certFile and keyFile go together (mTLS)");
    if (!cert.empty()) {
      out.tls.cert_pem = read_file(cert);
      out.tls.key_pem = read_file(key);
    }
  }
  if (out.tunnel && (out.is_git() || out.tls.enabled || out.credential.type != CredentialType::None))
    fail(where, "a tunnel destination passes TLS through: it takes no git, tls or credential settings");
  return out;
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Config parse_config(const json& doc) {
  if (!doc.is_object()) throw ConfigError("the configuration must be a JSON object");
  Config c;
  if (doc.contains("listen")) split_listen(get_string(doc, "listen", "config"), "listen", c.listen_host, c.listen_port);
  if (doc.contains("opsListen"))
    split_listen(get_string(doc, "opsListen", "config"), "opsListen", c.ops_host, c.ops_port);
  c.threads = doc.value("threads", 2);
  if (c.threads < 1 || c.threads > 64) fail("threads", "must be 1-64");
  c.idle_seconds = doc.value("idleSeconds", 300);
  if (c.idle_seconds < 1) fail("idleSeconds", "must be at least 1");
  c.sessions_file = get_string(doc, "sessionsFile", "config");
  if (!doc.contains("destinations") || !doc["destinations"].is_array())
    fail("destinations", "must be a list (it may be empty: nothing is reachable)");
  std::set<std::string> names;
  for (std::size_t i = 0; i < doc["destinations"].size(); ++i) {
    const std::string where = "destinations[" + std::to_string(i) + "]";
    c.destinations.push_back(parse_destination(doc["destinations"][i], where));
    if (!names.insert(c.destinations.back().name).second)
      fail(where + ".name", "\"" + c.destinations.back().name + "\" is used twice");
  }
  return c;
}

Config load_config(const std::string& path) {
  try {
    return parse_config(json::parse(read_file(path)));
  } catch (const json::exception& e) {
    throw ConfigError(path + ": " + e.what());
  } catch (const ConfigError& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

Clock::time_point parse_rfc3339(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) throw std::invalid_argument("\"" + text + "\" is not an RFC 3339 UTC time (2026-12-07T05:00:00Z)");
  std::string rest;
  in >> rest;
  if (!rest.empty() && rest.front() == '.') rest.erase(0, rest.find_first_not_of("0123456789", 1));
  if (rest != "Z") throw std::invalid_argument("\"" + text + "\" must be UTC (end in Z)");
  if (tm.tm_year + 1900 > 2200) throw std::invalid_argument("\"" + text + "\" is after 2200");
  return Clock::from_time_t(timegm(&tm));
}

void load_sessions(const json& doc, SessionRegistry& registry) {
  if (!doc.is_array()) throw ConfigError("sessions: must be a list");
  std::vector<std::pair<std::string, Session>> parsed;
  std::set<std::string> listed;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const std::string where = "sessions[" + std::to_string(i) + "]";
    const auto& s = doc[i];
    if (!s.is_object()) fail(where, "must be an object");
    Session session;
    session.id = get_string(s, "id", where, true);
    session.pod_ip = get_string(s, "podIP", where, true);
    session.push_branch = get_string(s, "pushBranch", where);
    session.destinations = get_strings(s, "destinations", where);
    session.finished = s.value("finished", false);
    try {
      session.expires_at = parse_rfc3339(get_string(s, "expiresAt", where, true));
    } catch (const std::invalid_argument& e) {
      fail(where + ".expiresAt", e.what());
    }
    std::string token = get_string(s, "token", where);
    if (token.empty()) {
      token = read_file(get_string(s, "tokenFile", where, true));
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    }
    if (token.size() < 32) fail(where + ".token", "must be at least 32 characters");
    if (session.id.empty()) fail(where + ".id", "is empty");
    if (session.pod_ip.empty()) fail(where + ".podIP", "is empty");
    if (!listed.insert(session.id).second) fail(where + ".id", "\"" + session.id + "\" is listed twice");
    parsed.emplace_back(std::move(token), std::move(session));
  }
  for (const auto& id : registry.ids()) {
    if (listed.count(id) == 0) registry.finish(id);
  }
  for (auto& [token, session] : parsed) {
    const bool finished = session.finished;
    const std::string id = session.id;
    registry.put(token, std::move(session));
    if (finished) registry.finish(id);
  }
}

}  // namespace droid::egress
