#include <stdexcept>
#include <utility>

#include "tools/edit_tool.h"
#include "tools/glob_tool.h"
#include "tools/grep_tool.h"
#include "tools/list_tool.h"
#include "tools/read_tool.h"
#include "tools/shell_tool.h"
#include "tools/tool.h"
#include "tools/write_tool.h"

namespace droid::runner::tools {

void Toolbox::add(std::unique_ptr<Tool> tool) {
  if (find(tool->definition().name) != nullptr) {
    throw std::invalid_argument("a tool named " + tool->definition().name + " is already in the toolbox");
  }
  tools_.push_back(std::move(tool));
}

Tool* Toolbox::find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool->definition().name == name) return tool.get();
  }
  return nullptr;
}

std::vector<llm::ToolDefinition> Toolbox::definitions() const {
  std::vector<llm::ToolDefinition> out;
  out.reserve(tools_.size());
  for (const auto& tool : tools_) out.push_back(tool->definition());
  return out;
}

Toolbox standard_toolbox(const Context& context) {
  Toolbox box;
  box.add(std::make_unique<ShellTool>(context));
  box.add(std::make_unique<ReadTool>(context));
  box.add(std::make_unique<WriteTool>(context));
  box.add(std::make_unique<EditTool>(context));
  box.add(std::make_unique<ListTool>(context));
  box.add(std::make_unique<GlobTool>(context));
  box.add(std::make_unique<GrepTool>(context));
  return box;
}

}  // namespace droid::runner::tools
