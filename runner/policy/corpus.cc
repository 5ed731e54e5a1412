#include "policy/corpus.h"

#include <cctype>
#include <fstream>

namespace droid::runner::policy {

std::string decode_corpus_command(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 3]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == 't')) {
      out += s[i + 1] == 'n' ? '\n' : '\t';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<CorpusLine> load_corpus(const std::string& dir, const std::string& file) {
  if (file.empty()) {
    std::vector<CorpusLine> all;
    for (const char* f : {"corpus.tsv", "bypass.tsv", "benign.tsv"}) {
      auto lines = load_corpus(dir, f);
      all.insert(all.end(), lines.begin(), lines.end());
    }
    return all;
  }
  std::ifstream in(dir + "/" + file);
  std::vector<CorpusLine> lines;
  int n = 0;
  for (std::string text; std::getline(in, text);) {
    ++n;
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t i = 0;
    for (int k = 0; k < 4; ++k) {
      std::size_t tab = text.find('\t', i);
      if (tab == std::string::npos) break;
      f.push_back(text.substr(i, tab - i));
      i = tab + 1;
    }
    CorpusLine line;
    line.file = file;
    line.number = n;
    if (f.size() == 4) {
      line.kind = f[0];
      line.decision = f[1];
      line.risk = f[2];
      line.autonomy = f[3];
      line.command = decode_corpus_command(text.substr(i));
    } else {
      line.command = text;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace droid::runner::policy
