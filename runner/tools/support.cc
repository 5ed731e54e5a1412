#include "tools/support.h"

#include <exception>
#include <filesystem>
#include <utility>

#include "tools/text.h"

namespace droid::runner::tools {

Result error_result(std::string message) {
  Result r;
  r.content = std::move(message);
  r.is_error = true;
  return r;
}

Result guard(const Context& context, const std::function<Result()>& body) {
  Result r;
  try {
    r = body();
  } catch (const ToolError& e) {
    r = error_result(e.what());
  } catch (const std::exception& e) {
    r = error_result(std::string("internal error: ") + e.what());
  }
  if (r.content.size() > context.max_result_bytes) {
    r.content = truncate_for_model(std::move(r.content), context.max_result_bytes);
    r.audit["content_cut"] = true;
  }
  return r;
}

void refuse_git_directory(const WorkspacePath& path, const std::string& argument) {
  for (const auto& part : std::filesystem::path(path.relative)) {
    if (part == ".git") {
      throw ToolError(argument + ": " + path.relative +
                      " is inside a .git directory, which the tools do not change; use git commands through the "
                      "shell tool");
    }
  }
}

Filtered filter(const Context& context, std::string_view path, std::string_view content) {
  if (!context.filter) return Filtered{false, std::string(content), ""};
  return context.filter(path, content);
}

}  // namespace droid::runner::tools
