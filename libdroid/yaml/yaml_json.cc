#include "yaml/yaml_json.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace droid::yaml {
namespace {

using json = nlohmann::json;

const std::regex& int_pattern() {
  static const std::regex r("^[-+]?[0-9]+$");
  return r;
}
const std::regex& float_pattern() {
  static const std::regex r(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return r;
}

json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (std::regex_match(s, int_pattern())) {
    errno = 0;
    const long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) return v;
  }
  if (std::regex_match(s, float_pattern())) return std::strtod(s.c_str(), nullptr);
  return s;
}

json from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = from_yaml(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(from_yaml(item));
      return out;
    }
    case YAML::NodeType::Scalar:
      // "!" marks a quoted scalar; !!str asks for a string explicitly.
      return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str" ? json(node.Scalar())
                                                                        : plain_scalar(node.Scalar());
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
  }
  return nullptr;
}

void emit(YAML::Emitter& out, const json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : value.items()) {
      out << YAML::Key << k << YAML::Value;
      emit(out, v);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& v : value) emit(out, v);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (!plain_scalar(s).is_string()) {
      out << YAML::DoubleQuoted << s;
    } else if (s.find('\n') != std::string::npos) {
      out << YAML::Literal << s;
    } else {
      out << s;
    }
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();  // numbers and booleans as JSON spells them
  }
}

}  // namespace

std::vector<json> parse_documents(const std::string& text, const std::string& origin) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw YamlError(origin + ": not YAML or JSON: " + e.what());
  }
  std::vector<json> out;
  for (const auto& d : docs)
    if (!d.IsNull()) out.push_back(from_yaml(d));
  return out;
}

json parse_document(const std::string& text, const std::string& origin) {
  std::vector<json> docs = parse_documents(text, origin);
  if (docs.empty()) throw YamlError(origin + ": empty document");
  if (docs.size() > 1) throw YamlError(origin + ": holds several documents; give one per file");
  return std::move(docs.front());
}

json parse_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw YamlError(path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_document(text.str(), path.string());
}

std::string to_yaml(const json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace droid::yaml
