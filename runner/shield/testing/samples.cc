#include "shield/testing/samples.h"

#include <fstream>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace droid::runner::shield::testing {
namespace {

std::string_view alphabet(char c) {
  switch (c) {
    case 'a': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    case 'l': return "abcdefghijklmnopqrstuvwxyz0123456789";
    case 'U': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    case 'h': return "0123456789abcdef";
    case 'H': return "0123456789ABCDEF";
    case 'd': return "0123456789";
    case 'b': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    case 'w': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    case 'B': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    case 'L': return "abcdefghijklmnopqrstuvwxyz";
    case 'm': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    case 'c': return "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
    case 'k': return "abcdefghijklmnopqrstuvwxyz234567";
    default: throw std::invalid_argument(std::string("unknown template class ") + c);
  }
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
  }
  return out;
}

}  // namespace

std::vector<Sample> load_samples(const std::string& path) {
  std::vector<Sample> samples;
  for (const auto& line : load_lines(path)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error(path + ": a line without a tab");
    samples.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return samples;
}

std::vector<std::string> load_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    lines.push_back(unescape(line));
  }
  return lines;
}

std::vector<Case> load_cases(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    // Fields are split on literal tabs first: a tab inside a field is escaped.
    const auto tab = line.find('\t');
    if (tab == std::string::npos) throw std::runtime_error(path + ": a line without a tab");
    Case c{line.substr(0, tab), line.substr(tab + 1), ""};
    if (const auto p = c.text.find("\tpath="); p != std::string::npos) {
      c.path = unescape(c.text.substr(p + 6));
      c.text.resize(p);
    }
    c.text = unescape(c.text);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string expand(const std::string& pattern, std::mt19937_64& rng) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto close = pattern.find('}', i);
    if (pattern[i] == '{' && i + 3 < pattern.size() && pattern[i + 2] == ':' && close != std::string::npos) {
      const std::string_view chars = alphabet(pattern[i + 1]);
      const auto n = std::stoul(pattern.substr(i + 3, close - i - 3));
      std::uniform_int_distribution<std::size_t> pick(0, chars.size() - 1);
      for (std::size_t k = 0; k < n; ++k) out += chars[pick(rng)];
      i = close;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string filler_line(std::mt19937_64& rng) {
  static const std::vector<std::string> kLines = {
      "  const token = await getToken(request);",
      "    if (password.length < 8) throw new Error(\"password too short\");",
      "2026-11-21T23:11:04.512Z INFO  request id=7f3c path=/api/v1/tokens status=200 took=12ms",
      "2026-11-21T23:11:05.001Z WARN  retrying https://api.example.com/v2/items after 429",
      "def get_secret(name: str) -> str:",
      "    return os.environ[\"API_KEY\"]",
      "  \"apiKey\": \"${API_KEY}\",",
      "password: <your-password-here>",
      "  - name: DATABASE_URL\n    valueFrom: {secretKeyRef: {name: db, key: url}}",
      "# Ask the user for their token before running the task on disk.",
      "for (const auto& key : keys) std::cout << key << \"-\" << value << '\\n';",
      "    \"description\": \"The service uses bearer authentication with short-lived tokens\",",
      "SELECT id, name, created_at FROM accounts WHERE status = 'active' ORDER BY id;",
      "func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {",
      "  auth_key_name = config.auth_key_name",
      "see https://docs.example.org/guide/install#requirements and http://localhost:8080/",
      "export AWS_REGION=us-east-1  # the sdk reads AWS_ACCESS_KEY_ID from the profile",
      "    <div class=\"sk-spinner\">Loading tasks...</div>",
      "postgres://localhost:5432/app?sslmode=disable",
      "  private_key_path: /etc/tls/tls.key",
      "eyJ is how a base64 JSON object begins; this line only mentions it.",
  };
  std::uniform_int_distribution<std::size_t> pick(0, kLines.size() - 1);
  return kLines[pick(rng)];
}

}  // namespace droid::runner::shield::testing
