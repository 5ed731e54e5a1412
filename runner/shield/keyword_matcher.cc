#include "shield/keyword_matcher.h"

#include <cctype>
#include <queue>
#include <stdexcept>

namespace droid::runner::shield {
namespace {

unsigned char fold(unsigned char c) { return static_cast<unsigned char>(std::tolower(c)); }

}  // namespace

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords) {
  // Trie over folded bytes; -1 marks a missing edge until the failure links fill it.
  std::vector<std::vector<std::int64_t>> go(1, std::vector<std::int64_t>(256, -1));
  std::vector<std::vector<std::uint32_t>> out(1);
  lengths_.reserve(keywords.size());
  for (std::size_t k = 0; k < keywords.size(); ++k) {
    if (keywords[k].empty()) throw std::invalid_argument("empty keyword");
    std::size_t s = 0;
    for (unsigned char c : keywords[k]) {
      const unsigned char f = fold(c);
      if (go[s][f] < 0) {
        go[s][f] = static_cast<std::int64_t>(go.size());
        go.emplace_back(256, -1);
        out.emplace_back();
      }
      s = static_cast<std::size_t>(go[s][f]);
    }
    out[s].push_back(static_cast<std::uint32_t>(k));
    lengths_.push_back(keywords[k].size());
  }

  // Breadth-first: complete the transition function and merge the outputs of each
  // state's failure state (its longest proper suffix that is a trie state).
  std::vector<std::size_t> fail(go.size(), 0);
  std::queue<std::size_t> queue;
  for (int c = 0; c < 256; ++c) {
    if (go[0][c] < 0) {
      go[0][c] = 0;
    } else {
      queue.push(static_cast<std::size_t>(go[0][c]));
    }
  }
  while (!queue.empty()) {
    const std::size_t s = queue.front();
    queue.pop();
    for (int c = 0; c < 256; ++c) {
      const std::int64_t t = go[s][c];
      if (t < 0) {
        go[s][c] = go[fail[s]][c];
        continue;
      }
      const auto child = static_cast<std::size_t>(t);
      fail[child] = static_cast<std::size_t>(go[fail[s]][c]);
      out[child].insert(out[child].end(), out[fail[child]].begin(), out[fail[child]].end());
      queue.push(child);
    }
  }

  // Byte classes: one per folded byte that occurs in a keyword, 0 for the rest
  // (every state sends those to the root). Upper-case input bytes share the
  // class of their folded form.
  std::vector<int> folded_class(256, 0);
  int classes = 1;
  for (const auto& k : keywords)
    for (unsigned char c : k)
      if (folded_class[fold(c)] == 0) folded_class[fold(c)] = classes++;
  while ((1 << class_bits_) < classes) ++class_bits_;
  std::vector<int> representative(static_cast<std::size_t>(1) << class_bits_, -1);
  for (int c = 0; c < 256; ++c) {
    const int cls = folded_class[fold(static_cast<unsigned char>(c))];
    class_[c] = static_cast<std::uint8_t>(cls);
    if (cls != 0) representative[static_cast<std::size_t>(cls)] = fold(static_cast<unsigned char>(c));
  }
  int outside = 0;  // a byte in no keyword
  while (folded_class[static_cast<std::size_t>(outside)] != 0) ++outside;

  // Flatten.
  const std::size_t width = static_cast<std::size_t>(1) << class_bits_;
  next_.assign(go.size() * width, 0);
  out_begin_.reserve(go.size() + 1);
  for (std::size_t s = 0; s < go.size(); ++s) {
    for (std::size_t cls = 0; cls < width; ++cls) {
      const int byte = cls == 0 ? outside : representative[cls];
      if (byte >= 0)
        next_[(s << class_bits_) | cls] = static_cast<std::uint32_t>(go[s][static_cast<std::size_t>(byte)]);
    }
    out_begin_.push_back(static_cast<std::uint32_t>(outputs_.size()));
    outputs_.insert(outputs_.end(), out[s].begin(), out[s].end());
  }
  out_begin_.push_back(static_cast<std::uint32_t>(outputs_.size()));
}

}  // namespace droid::runner::shield
