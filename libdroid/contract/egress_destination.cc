#include "contract/egress_destination.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

namespace droid::contract {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw EgressGrantError(where + ": " + what);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool valid_label_chars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '.'; });
}

// Kubernetes object names (DNS subdomain) and Secret data keys.
bool valid_object_name(std::string_view s) {
  return !s.empty() && s.size() <= 253 && valid_label_chars(s) && std::isalnum(static_cast<unsigned char>(s.front())) &&
         std::isalnum(static_cast<unsigned char>(s.back())) &&
         std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isupper(c) != 0; });
}
bool valid_data_key(std::string_view s) {
  return !s.empty() && s.size() <= 253 && s != "." && s != ".." && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
  });
}

void only_fields(const json& j, const std::string& where, std::initializer_list<const char*> known) {
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (std::none_of(known.begin(), known.end(), [&key](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) {
        if (!list.empty()) list += ", ";
        list += k;
      }
      std::string at = where;
      at += '.';
      at += key;
      fail(at, "unknown field (known: " + list + ")");
    }
  }
}

const json* field(const json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string string_field(const json& j, const char* key, const std::string& where, bool required) {
  const json* v = field(j, key);
  if (v == nullptr) {
    if (required) fail(where + "." + key, "is required");
    return "";
  }
  if (!v->is_string()) fail(where + "." + key, "must be a string");
  return v->get<std::string>();
}

std::vector<std::string> strings_field(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  const json* v = field(j, key);
  if (v == nullptr) return out;
  if (!v->is_array()) fail(where + "." + key, "must be a list of strings");
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) fail(where + "." + key + "[" + std::to_string(i) + "]", "must be a string");
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

// `default_key`: nullptr for a ref without a key (a kubernetes.io/tls Secret), "" when
// the key is required, else the key's default.
SecretKeyRef secret_ref(const json& j, const std::string& where, const char* default_key) {
  if (!j.is_object()) fail(where, "must be an object {\"name\": ..., \"key\": ...}");
  if (j.contains("namespace"))
    fail(where + ".namespace",
         "a grant names Secrets in the gateway's own namespace only; copy the Secret there (and drop namespace)");
  if (default_key == nullptr) {
    only_fields(j, where, {"name"});
  } else {
    only_fields(j, where, {"name", "key"});
  }
  SecretKeyRef ref;
  ref.name = string_field(j, "name", where, true);
  if (!valid_object_name(ref.name))
    fail(where + ".name", "\"" + ref.name + "\" is not a Secret name (lower-case DNS subdomain)");
  if (default_key != nullptr) {
    if (!j.contains("key") && *default_key == '\0') fail(where + ".key", "is required (the Secret's data key)");
    ref.key = j.contains("key") ? string_field(j, "key", where, true) : std::string(default_key);
    if (!valid_data_key(ref.key))
      fail(where + ".key", "\"" + ref.key + "\" is not a Secret data key (letters, digits, '-', '_', '.')");
  }
  return ref;
}

json ref_json(const SecretKeyRef& r) { return json{{"name", r.name}, {"key", r.key}}; }

}  // namespace

std::string normalize_host(std::string_view host) {
  std::string h = lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

HostPattern::HostPattern(std::string_view text) : text_(normalize_host(text)) {
  if (text_.empty()) throw std::invalid_argument("host pattern is empty");
  if (text_.starts_with("*.")) {
    wildcard_ = true;
    suffix_ = text_.substr(1);
    if (suffix_.size() < 2 || suffix_.find('*') != std::string::npos || !valid_label_chars(suffix_.substr(1)) ||
        suffix_.find("..") != std::string::npos)
      throw std::invalid_argument("host pattern \"" + std::string(text) +
                                  "\": a wildcard is \"*.\" followed by a domain (\"*.git.corp\")");
    return;
  }
  if (!valid_label_chars(text_) || text_.front() == '.' || text_.find("..") != std::string::npos)
    throw std::invalid_argument("host pattern \"" + std::string(text) +
                                "\": a host name of letters, digits, '-' and '.', or \"*.domain\"");
}

bool HostPattern::matches(std::string_view host) const {
  const std::string h = normalize_host(host);
  if (!wildcard_) return h == text_;
  return h.size() > suffix_.size() && h.ends_with(suffix_);
}

bool is_plain_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find("//") != std::string_view::npos || path.find('\\') != std::string_view::npos) return false;
  const std::string l = lower(path);
  if (l.find("%2e") != std::string::npos || l.find("%2f") != std::string::npos || l.find("%5c") != std::string::npos)
    return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(start, end - start);
    if (seg == "." || seg == "..") return false;
    start = end + 1;
  }
  return std::none_of(path.begin(), path.end(), [](unsigned char c) { return c < 0x21 || c == 0x7f; });
}

CredentialType parse_credential_type(std::string_view text) {
  if (text == "none") return CredentialType::None;
  if (text == "bearer") return CredentialType::Bearer;
  if (text == "x-api-key") return CredentialType::XApiKey;
  if (text == "basic") return CredentialType::Basic;
  throw std::invalid_argument("credential type \"" + std::string(text) + "\": one of none, bearer, x-api-key, basic");
}

const char* to_string(CredentialType type) {
  switch (type) {
    case CredentialType::Bearer: return "bearer";
    case CredentialType::XApiKey: return "x-api-key";
    case CredentialType::Basic: return "basic";
    case CredentialType::None: break;
  }
  return "none";
}

const char* to_string(EgressKind kind) {
  switch (kind) {
    case EgressKind::Git: return "git";
    case EgressKind::Tunnel: return "tunnel";
    case EgressKind::Http: break;
  }
  return "http";
}

json to_json(const EgressDestination& d) {
  json j{{"name", d.name}, {"kind", to_string(d.kind)}};
  json hosts = json::array();
  for (const auto& h : d.hosts) hosts.push_back(h.text());
  j["hosts"] = std::move(hosts);
  if (!d.ports.empty()) j["ports"] = d.ports;
  if (d.kind != EgressKind::Tunnel) j["scheme"] = d.https ? "https" : "http";
  if (!d.methods.empty()) j["methods"] = d.methods;
  if (!d.path_prefixes.empty()) j["pathPrefixes"] = d.path_prefixes;
  if (!d.repositories.empty()) j["repositories"] = d.repositories;
  if (d.credential_type != CredentialType::None || !d.credential_ref.empty()) {
    json c{{"type", to_string(d.credential_type)}};
    if (!d.credential_ref.empty()) c["secretRef"] = ref_json(d.credential_ref);
    j["credential"] = std::move(c);
  }
  if (!d.ca_bundle_ref.empty()) j["caBundleSecretRef"] = ref_json(d.ca_bundle_ref);
  if (!d.ca_bundle.empty()) j["caBundle"] = d.ca_bundle;
  if (!d.client_cert_secret.empty()) j["clientCertSecretRef"] = json{{"name", d.client_cert_secret}};
  if (!d.address.empty()) j["address"] = d.address;
  return j;
}

EgressDestination egress_destination_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "must be an object");
  only_fields(j, where,
              {"name", "kind", "hosts", "ports", "scheme", "methods", "pathPrefixes", "repositories", "credential",
               "caBundleSecretRef", "caBundle", "clientCertSecretRef", "address"});
  EgressDestination d;
  d.name = string_field(j, "name", where, true);
  if (d.name.empty() || d.name.size() > 63 || !valid_object_name(d.name) || d.name.find('.') != std::string::npos)
    fail(where + ".name", "\"" + d.name + "\" must be a DNS label (lower-case letters, digits, '-')");
  const std::string kind = string_field(j, "kind", where, true);
  if (kind == "http") {
    d.kind = EgressKind::Http;
  } else if (kind == "git") {
    d.kind = EgressKind::Git;
  } else if (kind == "tunnel") {
    d.kind = EgressKind::Tunnel;
  } else {
    fail(where + ".kind", "\"" + kind + "\" is not one of http, git, tunnel");
  }
  const auto hosts = strings_field(j, "hosts", where);
  if (hosts.empty()) fail(where + ".hosts", "must name at least one host (\"llm.svc\" or \"*.corp\")");
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    try {
      d.hosts.emplace_back(hosts[i]);
    } catch (const std::invalid_argument& e) {
      fail(where + ".hosts[" + std::to_string(i) + "]", e.what());
    }
  }
  if (const json* ports = field(j, "ports")) {
    if (!ports->is_array()) fail(where + ".ports", "must be a list of port numbers");
    for (std::size_t i = 0; i < ports->size(); ++i) {
      const json& p = (*ports)[i];
      if (!p.is_number_integer() || p.get<long long>() < 1 || p.get<long long>() > 65535)
        fail(where + ".ports[" + std::to_string(i) + "]", "must be a port number 1-65535");
      d.ports.push_back(p.get<int>());
    }
  }
  const bool tunnel = d.kind == EgressKind::Tunnel;
  if (tunnel) {
    for (const char* key : {"scheme", "methods", "pathPrefixes", "repositories", "credential", "caBundleSecretRef",
                            "caBundle", "clientCertSecretRef"}) {
      if (j.contains(key))
        fail(where + "." + key, "a tunnel destination passes TLS through untouched: it takes no " + std::string(key));
    }
  } else {
    const std::string scheme = string_field(j, "scheme", where, true);
    if (scheme != "http" && scheme != "https")
      fail(where + ".scheme", "\"" + scheme + "\" is not http or https (what the gateway speaks upstream)");
    d.https = scheme == "https";
  }
  d.methods = strings_field(j, "methods", where);
  for (std::size_t i = 0; i < d.methods.size(); ++i) {
    const auto& m = d.methods[i];
    if (m.empty() || m.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
      fail(where + ".methods[" + std::to_string(i) + "]",
           "must be an upper-case HTTP method (\"POST\"), got \"" + m + "\"");
  }
  d.path_prefixes = strings_field(j, "pathPrefixes", where);
  for (std::size_t i = 0; i < d.path_prefixes.size(); ++i) {
    if (!is_plain_path(d.path_prefixes[i]))
      fail(where + ".pathPrefixes[" + std::to_string(i) + "]",
           "\"" + d.path_prefixes[i] + "\" must be a plain absolute path (\"/v1/\")");
  }
  d.repositories = strings_field(j, "repositories", where);
  for (std::size_t i = 0; i < d.repositories.size(); ++i) {
    const auto& r = d.repositories[i];
    if (!is_plain_path(r) || r.ends_with("/") || r.find('?') != std::string::npos)
      fail(where + ".repositories[" + std::to_string(i) + "]", "\"" + r + "\" must be a path like \"/team/app.git\"");
  }
  if (d.kind == EgressKind::Git) {
    if (d.repositories.empty()) fail(where + ".repositories", "a git destination names at least one repository");
    if (j.contains("methods") || j.contains("pathPrefixes"))
      fail(where + (j.contains("methods") ? ".methods" : ".pathPrefixes"),
           "a git destination allows only its repositories' smart-HTTP endpoints: no methods or pathPrefixes");
  } else if (!d.repositories.empty()) {
    fail(where + ".repositories", "only a git destination has repositories (set kind: git)");
  }
  if (const json* c = field(j, "credential")) {
    const std::string cw = where + ".credential";
    if (!c->is_object()) fail(cw, "must be an object {\"type\": ..., \"secretRef\": {...}}");
    only_fields(*c, cw, {"type", "secretRef"});
    const std::string type = string_field(*c, "type", cw, true);
    try {
      d.credential_type = parse_credential_type(type);
    } catch (const std::invalid_argument& e) {
      fail(cw + ".type", e.what());
    }
    const json* ref = field(*c, "secretRef");
    if (d.credential_type == CredentialType::None) {
      if (ref != nullptr) fail(cw + ".secretRef", "type none takes no secretRef");
    } else {
      if (ref == nullptr) fail(cw + ".secretRef", "is required for type " + std::string(to_string(d.credential_type)));
      d.credential_ref = secret_ref(*ref, cw + ".secretRef", "");
    }
  }
  if (const json* ca = field(j, "caBundleSecretRef"))
    d.ca_bundle_ref = secret_ref(*ca, where + ".caBundleSecretRef", "ca.crt");
  d.ca_bundle = string_field(j, "caBundle", where, false);
  if (j.contains("caBundle") && d.ca_bundle.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    fail(where + ".caBundle", "must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
  if (!d.ca_bundle.empty() && !d.ca_bundle_ref.empty())
    fail(where + ".caBundle", "caBundle and caBundleSecretRef are mutually exclusive");
  if (const json* cc = field(j, "clientCertSecretRef"))
    d.client_cert_secret = secret_ref(*cc, where + ".clientCertSecretRef", nullptr).name;
  if (!d.https && !tunnel) {
    for (const char* key : {"caBundleSecretRef", "caBundle", "clientCertSecretRef"}) {
      if (j.contains(key)) fail(where + "." + key, "applies to scheme https only");
    }
  }
  d.address = string_field(j, "address", where, false);
  if (j.contains("address") &&
      (d.address.empty() ||
       d.address.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") !=
           std::string::npos))
    fail(where + ".address", "\"" + d.address + "\" must be a host name or an IP address");
  return d;
}

}  // namespace droid::contract
