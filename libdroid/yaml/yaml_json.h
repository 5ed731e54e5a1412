// YAML in and out as JSON, the way manifests are read and printed: plain scalars
// are typed by YAML 1.2's core schema (true/false in any case form, null and ~,
// integers, floats); quoted or explicitly tagged scalars stay strings; an empty
// value is null. to_yaml() prints block YAML, quoting every string that would
// otherwise read back as another type, so parse(to_yaml(v)) == v.
//
//   json crd = yaml::parse_document(text, "crds/x.yaml");    // exactly one document
//   for (json& doc : yaml::parse_documents(helm_output, "helm template")) ...
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace droid::yaml {

// Text that is not YAML, or not the number of documents asked for. The message
// starts with the origin given (a file name, "standard input").
class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The one document of `text` (JSON is YAML); empty documents ("---" alone) are
// ignored. YamlError when there is none or more than one.
nlohmann::json parse_document(const std::string& text, const std::string& origin);

// Every non-empty document of a stream ("---"-separated), in order.
std::vector<nlohmann::json> parse_documents(const std::string& text, const std::string& origin);

// parse_document() of a file's content; YamlError naming the file when it cannot be read.
nlohmann::json parse_file(const std::filesystem::path& path);

std::string to_yaml(const nlohmann::json& value);

}  // namespace droid::yaml
