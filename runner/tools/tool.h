// A tool the model can call (SPEC §6.1): shell, read, write, edit, list, glob,
// grep. Each tool validates its own arguments and confines every path to the
// workspace; the agent loop decides beforehand whether a call may run at all
// (command policy, hooks, approvals, guardrails) and shields the result after.
//
//   Toolbox box = standard_toolbox(context);
//   Tool* t = box.find("edit");
//   tools::Result r = t->run({{"path", "src/a.cc"}, {"old_string", "x"}, {"new_string", "y"}});
//   // r.content goes back to the model; r.is_error marks a failed call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/conversation.h"
#include "sandbox/sandbox.h"

namespace droid::runner::tools {

// What a tool does to the workspace; the autonomy level gates it (off: Read only).
enum class Access { Read, Write, Execute };

// A file's content on its way to the model (read, grep) or before it is
// changed (edit, write): the shield as the loop configured it. `text` is the
// content with secrets redacted; a blocked content is not used at all and the
// call fails with `reason`.
struct Filtered {
  bool blocked = false;
  std::string text;
  std::string reason;
};
using ContentFilter = std::function<Filtered(std::string_view path, std::string_view content)>;

struct Context {
  std::string workspace;                         // absolute; every path argument resolves inside it
  ContentFilter filter;                          // empty: content passes unchanged
  sandbox::Spec shell;                           // template for the shell tool (argv and workspace are set per call)
  std::size_t max_result_bytes = 64 * 1024;      // content returned to the model is cut here, with a note
  std::size_t max_file_bytes = 8 * 1024 * 1024;  // larger files are refused by read/edit/grep
  std::size_t max_walk_entries = 200000;         // directory entries list/glob/grep read per call
  std::size_t max_search_bytes = 256 * 1024 * 1024;  // file content grep reads per call
};

struct Result {
  std::string content;  // for the model; errors explain what to change
  bool is_error = false;
  nlohmann::json audit = nlohmann::json::object();  // facts for the audit log: path, bytes, exit code...
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const llm::ToolDefinition& definition() const = 0;
  virtual Access access() const = 0;
  // The shell command line a call would run, for the command policy; nullopt
  // for tools that run no command.
  virtual std::optional<std::string> command(const nlohmann::json& /*arguments*/) const { return std::nullopt; }
  // Never throws for bad arguments or I/O errors: they become is_error results.
  virtual Result run(const nlohmann::json& arguments) = 0;
};

class Toolbox {
 public:
  void add(std::unique_ptr<Tool> tool);
  Tool* find(std::string_view name) const;  // nullptr when unknown
  std::vector<llm::ToolDefinition> definitions() const;

 private:
  std::vector<std::unique_ptr<Tool>> tools_;
};

// shell, read, write, edit, list, glob, grep over `context`.
Toolbox standard_toolbox(const Context& context);

}  // namespace droid::runner::tools
