// The command corpora of testdata/ (test support): tab-separated lines of kind,
// expected decision, expected risk, autonomy and command; '#' starts a comment.
// kind: benign or adv (adversarial); decision: allow|ask|deny|block or !allow;
// risk: low|medium|high or *; in the command, \n is a newline, \t a tab and \xHH
// the byte HH. corpus.tsv is the original corpus, bypass.tsv the adversarial
// lines by class of bypass, benign.tsv ordinary developer commands.
#pragma once

#include <string>
#include <vector>

namespace droid::runner::policy {

struct CorpusLine {
  std::string file;
  int number = 0;
  std::string kind, decision, risk, autonomy, command;
};

// The lines of one file, or of every corpus file in `dir` when `file` is empty.
// A malformed line is returned with an empty `kind` (the tests report it).
std::vector<CorpusLine> load_corpus(const std::string& dir, const std::string& file = {});

std::string decode_corpus_command(const std::string& s);

}  // namespace droid::runner::policy
