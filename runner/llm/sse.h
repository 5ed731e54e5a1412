// An incremental Server-Sent Events decoder (the WHATWG event-stream format both
// gateways stream in): feed it bytes as they arrive, in pieces of any size, and
// it returns the events completed so far. Lines end with LF, CRLF or CR; a line
// starting with ':' is a comment (keep-alive); `data:` lines of one event are
// joined with '\n'; an empty line ends the event. Events without data are dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace droid::llm {

struct SseEvent {
  std::string event;  // the `event:` field, empty when absent
  std::string data;
};

class SseDecoder {
 public:
  std::vector<SseEvent> feed(std::string_view bytes);
  // Ends the stream: an event the server did not terminate with a blank line is
  // returned (servers that close right after the last `data:` line).
  std::vector<SseEvent> finish();

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::string pending_;  // an incomplete line
  bool last_was_cr_ = false;
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

}  // namespace droid::llm
