// The shield's prefilter: an Aho-Corasick automaton over bytes that finds every
// occurrence of a set of keywords in one pass, ASCII case-insensitively and
// overlapping ("xoxb" and "xox" both report inside "xoxb-"). The automaton is a
// full transition table built once over byte classes (each byte some keyword
// holds, case-folded, has a class; all other bytes share class 0), so the table
// is states x classes rather than states x 256 and stays in cache; matching
// never allocates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace droid::runner::shield {

class KeywordMatcher {
 public:
  // Keywords are compared ASCII case-insensitively; an empty keyword is an error
  // (std::invalid_argument). Duplicates are allowed and each reports its own index.
  explicit KeywordMatcher(const std::vector<std::string>& keywords);

  // Calls on_hit(keyword_index, end) for every occurrence, in increasing order
  // of `end` (one past the keyword's last byte).
  template <typename OnHit>
  void for_each_match(std::string_view text, OnHit&& on_hit) const {
    std::uint32_t state = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      state = next_[(static_cast<std::size_t>(state) << class_bits_) | class_[static_cast<unsigned char>(text[i])]];
      if (out_begin_[state] == out_begin_[state + 1]) continue;
      for (std::uint32_t o = out_begin_[state]; o < out_begin_[state + 1]; ++o) on_hit(outputs_[o], i + 1);
    }
  }

  std::size_t keyword_count() const { return lengths_.size(); }
  std::size_t keyword_length(std::size_t index) const { return lengths_[index]; }

 private:
  std::uint8_t class_[256] = {};          // byte -> its class
  unsigned class_bits_ = 0;               // classes fit in 1 << class_bits_
  std::vector<std::uint32_t> next_;       // state << class_bits_ | class -> state
  std::vector<std::uint32_t> out_begin_;  // outputs of state s: outputs_[out_begin_[s] .. out_begin_[s+1])
  std::vector<std::uint32_t> outputs_;    // keyword indices
  std::vector<std::size_t> lengths_;
};

}  // namespace droid::runner::shield
