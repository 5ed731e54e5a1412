#include "tools/file_io.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tools/support.h"
#include "tools/testing/workspace.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  WorkspacePath at(const std::string& relative) const { return resolve_in_workspace(ws_.path(), "path", relative); }
  std::string refusal_to_read(const std::string& relative, std::size_t max = 1000) const {
    try {
      read_regular_file(at(relative), "path", max);
      return "";
    } catch (const ToolError& e) {
      return e.what();
    }
  }
  testing::TempWorkspace ws_;
};

TEST_F(FileIoTest, ReadsAWholeFile) {
  ws_.write("a.txt", "hello\nworld\n");
  EXPECT_EQ(read_regular_file(at("a.txt"), "path", 1000), "hello\nworld\n");
  ws_.write("empty", "");
  EXPECT_EQ(read_regular_file(at("empty"), "path", 1000), "");
}

TEST_F(FileIoTest, ReadRefusals) {
  ws_.mkdir("dir");
  ws_.write("big", std::string(1001, 'x'));
  EXPECT_EQ(refusal_to_read("missing.txt"), "path: missing.txt does not exist");
  EXPECT_EQ(refusal_to_read("dir"), "path: dir is a directory; use list to see its entries");
  EXPECT_NE(refusal_to_read("big").find("path: big is 1001 bytes, over the limit of 1000"), std::string::npos);
  ASSERT_EQ(mkfifo((ws_.path() + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(refusal_to_read("fifo"), "path: fifo is not a regular file");
}

TEST_F(FileIoTest, ReadDoesNotFollowASymlinkSwappedInAfterResolution) {
  ws_.write("a.txt", "inside");
  WorkspacePath p = at("a.txt");
  fs::remove(p.real);
  fs::create_symlink("/etc/passwd", p.real);
  EXPECT_THROW(read_regular_file(p, "path", 1 << 20), ToolError);
}

TEST_F(FileIoTest, WriteCreatesParentsAndNewFilesAre0644) {
  write_file_atomic(at("new/deep/file.txt"), "path", "content");
  EXPECT_EQ(ws_.read("new/deep/file.txt"), "content");
  struct stat st {};
  ASSERT_EQ(stat((ws_.path() + "/new/deep/file.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644U);
}

TEST_F(FileIoTest, WriteReplacesAndKeepsTheMode) {
  ws_.write("run.sh", "old");
  ASSERT_EQ(chmod((ws_.path() + "/run.sh").c_str(), 0750), 0);
  write_file_atomic(at("run.sh"), "path", "new");
  EXPECT_EQ(ws_.read("run.sh"), "new");
  struct stat st {};
  ASSERT_EQ(stat((ws_.path() + "/run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750U);
}

TEST_F(FileIoTest, WriteLeavesNoTempFileBehind) {
  write_file_atomic(at("a.txt"), "path", "one");
  write_file_atomic(at("a.txt"), "path", "two");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(ws_.path())) ++entries;
  EXPECT_EQ(entries, 1U);
}

TEST_F(FileIoTest, WriteRefusesADirectory) {
  ws_.mkdir("dir");
  EXPECT_THROW(write_file_atomic(at("dir"), "path", "x"), ToolError);
  EXPECT_TRUE(fs::is_directory(ws_.path() + "/dir"));
}

}  // namespace
}  // namespace droid::runner::tools
