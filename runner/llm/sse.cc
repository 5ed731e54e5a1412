#include "llm/sse.h"

namespace droid::llm {

std::vector<SseEvent> SseDecoder::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (const char c : bytes) {
    if (c == '\n' && last_was_cr_) {  // the LF of a CRLF: the line already ended at CR
      last_was_cr_ = false;
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      line(pending_, out);
      pending_.clear();
    } else {
      pending_.push_back(c);
    }
  }
  return out;
}

std::vector<SseEvent> SseDecoder::finish() {
  std::vector<SseEvent> out;
  if (!pending_.empty()) line(pending_, out);
  pending_.clear();
  dispatch(out);
  return out;
}

void SseDecoder::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    dispatch(out);
    return;
  }
  if (text.front() == ':') return;  // comment
  const auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "event") {
    event_.assign(value);
  } else if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  }
  // id and retry are of no use to a client that never reconnects a stream.
}

void SseDecoder::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) out.push_back({event_, data_});
  event_.clear();
  data_.clear();
  has_data_ = false;
}

}  // namespace droid::llm
