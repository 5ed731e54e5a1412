// Tries to get a path out of the workspace every way a model could; controls
// show the same shapes resolve when they stay inside.
#include "tools/workspace_path.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tools/support.h"
#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

class WorkspacePathTest : public ::testing::Test {
 protected:
  WorkspacePath resolve(const std::string& value) const { return resolve_in_workspace(ws_.path(), "path", value); }
  // The ToolError message, or "" when the path resolved.
  std::string refusal(const std::string& value) const {
    try {
      resolve(value);
      return "";
    } catch (const ToolError& e) {
      return e.what();
    }
  }
  fs::path real_ws() const { return fs::canonical(ws_.path()); }

  testing::TempWorkspace ws_;
};

TEST_F(WorkspacePathTest, RelativePathsResolveInside) {
  ws_.write("src/a.cc", "x");
  WorkspacePath p = resolve("src/a.cc");
  EXPECT_EQ(p.real, real_ws() / "src/a.cc");
  EXPECT_EQ(p.relative, "src/a.cc");
  EXPECT_EQ(resolve("./src/../src/a.cc").relative, "src/a.cc");
  EXPECT_EQ(resolve(".").relative, ".");
  EXPECT_EQ(resolve("src/").relative, "src");
}

TEST_F(WorkspacePathTest, MissingTailIsKept) {
  WorkspacePath p = resolve("new/dir/file.txt");
  EXPECT_EQ(p.real, real_ws() / "new/dir/file.txt");
  EXPECT_EQ(p.relative, "new/dir/file.txt");
}

TEST_F(WorkspacePathTest, AbsolutePathInsideIsAccepted) {
  ws_.write("a.txt", "x");
  EXPECT_EQ(resolve(ws_.path() + "/a.txt").relative, "a.txt");
  EXPECT_EQ(resolve(real_ws().string() + "/a.txt").relative, "a.txt");
}

TEST_F(WorkspacePathTest, AbsolutePathOutsideIsRefusedNamingTheArgument) {
  std::string msg = refusal("/etc/passwd");
  EXPECT_EQ(msg, "path: /etc/passwd is outside the workspace " + ws_.path() + "; use a path relative to it");
  EXPECT_NE(refusal("/"), "");
  EXPECT_NE(refusal(ws_.outside() + "/x"), "");
  // A sibling whose name starts with the workspace's is not inside it.
  EXPECT_NE(refusal(ws_.path() + "-other/x"), "");
}

TEST_F(WorkspacePathTest, DotDotEscapesAreRefused) {
  EXPECT_NE(refusal("../outside/x"), "");
  EXPECT_NE(refusal("../../../../etc/passwd"), "");
  EXPECT_NE(refusal("src/../../x"), "");
  EXPECT_NE(refusal(".."), "");
  // Going up and back in stays inside.
  EXPECT_EQ(resolve("../workspace/a").relative, "a");
}

TEST_F(WorkspacePathTest, SymlinkToEtcIsRefused) {
  ws_.symlink("/etc", "etc");
  ws_.symlink("/etc/passwd", "passwd");
  std::string msg = refusal("etc/passwd");
  EXPECT_NE(msg.find("path: etc/passwd resolves through a symlink to /etc/passwd, outside the workspace"),
            std::string::npos)
      << msg;
  EXPECT_NE(refusal("passwd"), "");
  EXPECT_NE(refusal("etc"), "");
  EXPECT_NE(refusal("etc/new-file"), "");
}

TEST_F(WorkspacePathTest, SymlinkedParentDirectoryIsRefused) {
  ws_.symlink(ws_.outside(), "out");
  EXPECT_NE(refusal("out/secret.txt"), "");
  EXPECT_NE(refusal("out/deeper/new.txt"), "");
  // A relative symlink that climbs out.
  ws_.symlink("../../outside", "sub/up");
  EXPECT_NE(refusal("sub/up/x"), "");
}

TEST_F(WorkspacePathTest, DanglingSymlinkToOutsideIsRefused) {
  ws_.symlink(ws_.outside() + "/not-yet", "dangling");
  EXPECT_NE(refusal("dangling"), "");
  ws_.symlink("/nonexistent-droid/dir", "dangling-dir");
  EXPECT_NE(refusal("dangling-dir/file"), "");
}

TEST_F(WorkspacePathTest, ChainsOfSymlinksAreFollowedToTheEnd) {
  ws_.symlink("hop2", "hop1");
  ws_.symlink(ws_.outside(), "hop2");
  EXPECT_NE(refusal("hop1/x"), "");
  // A link whose target climbs through a missing directory and back out.
  ws_.symlink("missing/../../outside", "tricky");
  EXPECT_NE(refusal("tricky/x"), "");
}

TEST_F(WorkspacePathTest, SymlinksStayingInsideResolveToTheirTarget) {
  ws_.write("real/file.txt", "x");
  ws_.symlink("real", "alias");
  ws_.symlink(ws_.path() + "/real/file.txt", "abs-link");
  ws_.symlink("real/new.txt", "dangling-inside");
  EXPECT_EQ(resolve("alias/file.txt").relative, "real/file.txt");
  EXPECT_EQ(resolve("abs-link").relative, "real/file.txt");
  EXPECT_EQ(resolve("dangling-inside").relative, "real/new.txt");
}

TEST_F(WorkspacePathTest, SymlinkLoopsAreRefused) {
  ws_.symlink("loop2", "loop1");
  ws_.symlink("loop1", "loop2");
  EXPECT_NE(refusal("loop1").find("too many levels of symbolic links"), std::string::npos);
}

TEST_F(WorkspacePathTest, WorkspaceReachedThroughASymlinkStillWorks) {
  fs::create_directory_symlink(ws_.path(), ws_.root() + "/ws-link");
  WorkspacePath p = resolve_in_workspace(ws_.root() + "/ws-link", "path", "a/b.txt");
  EXPECT_EQ(p.relative, "a/b.txt");
  EXPECT_EQ(p.real, real_ws() / "a/b.txt");
  EXPECT_THROW(resolve_in_workspace(ws_.root() + "/ws-link", "path", "../outside/x"), ToolError);
}

TEST_F(WorkspacePathTest, EmptyAndNulPathsAreRefused) {
  EXPECT_NE(refusal("").find("path: is empty"), std::string::npos);
  EXPECT_NE(refusal(std::string("a\0b", 3)).find("NUL"), std::string::npos);
}

TEST_F(WorkspacePathTest, ErrorsNameTheArgument) {
  try {
    resolve_in_workspace(ws_.path(), "target", "/etc");
    FAIL() << "resolved";
  } catch (const ToolError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("target: ", 0), 0U) << e.what();
  }
}

TEST_F(WorkspacePathTest, MissingWorkspaceIsAnError) {
  EXPECT_THROW(resolve_in_workspace(ws_.root() + "/nope", "path", "a"), ToolError);
}

}  // namespace
}  // namespace droid::runner::tools
