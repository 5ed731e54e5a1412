#include "tools/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "tools/support.h"

namespace droid::runner::tools {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) { return std::generic_category().message(error); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category());
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string read_regular_file(const WorkspacePath& path, const std::string& argument, std::size_t max_bytes) {
  const std::string& rel = path.relative;
  Fd fd(open(path.real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw ToolError(argument + ": " + rel + " does not exist");
    throw ToolError(argument + ": cannot open " + rel + ": " + errno_text(error));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw ToolError(argument + ": cannot stat " + rel + ": " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) throw ToolError(argument + ": " + rel + " is a directory; use list to see its entries");
  if (!S_ISREG(st.st_mode)) throw ToolError(argument + ": " + rel + " is not a regular file");
  auto size = static_cast<std::size_t>(st.st_size);
  if (size > max_bytes) {
    throw ToolError(argument + ": " + rel + " is " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(max_bytes) + "; use grep to find the lines you need");
  }
  std::string content;
  content.resize(size);
  std::size_t got = 0;
  // Read to the end, in case the file grew since fstat, up to the limit.
  while (true) {
    if (got == content.size()) {
      if (content.size() > max_bytes) break;
      content.resize(content.size() + 4096);
    }
    ssize_t n = read(fd.get(), content.data() + got, content.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string message = argument;
      message.append(": cannot read ").append(rel).append(": ").append(errno_text(errno));
      throw ToolError(message);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  if (content.size() > max_bytes) {
    throw ToolError(argument + ": " + rel + " is over the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return content;
}

void write_file_atomic(const WorkspacePath& path, const std::string& argument, std::string_view content) {
  const std::string& rel = path.relative;
  fs::path parent = path.real.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw ToolError(argument + ": cannot create the directory of " + rel + ": " + ec.message());

  struct stat existing {};
  bool exists = lstat(path.real.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) throw ToolError(argument + ": " + rel + " is a directory");
  if (exists && !S_ISREG(existing.st_mode)) throw ToolError(argument + ": " + rel + " is not a regular file");

  std::string temp = (parent / ("." + path.real.filename().string() + ".droid-XXXXXX")).string();
  Fd fd(mkostemp(temp.data(), O_CLOEXEC));
  if (fd.get() < 0) throw ToolError(argument + ": cannot create a file beside " + rel + ": " + errno_text(errno));
  try {
    write_all(fd.get(), content);
    if (exists) {
      if (fchown(fd.get(), existing.st_uid, existing.st_gid) != 0) {
        // Not permitted (an unprivileged runner): the file keeps the runner's owner.
      }
      if (fchmod(fd.get(), existing.st_mode & 07777) != 0) throw std::system_error(errno, std::generic_category());
    } else if (fchmod(fd.get(), 0644) != 0) {
      throw std::system_error(errno, std::generic_category());
    }
    if (fsync(fd.get()) != 0) throw std::system_error(errno, std::generic_category());
    if (close(fd.release()) != 0) throw std::system_error(errno, std::generic_category());
    if (rename(temp.c_str(), path.real.c_str()) != 0) throw std::system_error(errno, std::generic_category());
  } catch (const std::system_error& e) {
    unlink(temp.c_str());
    throw ToolError(argument + ": cannot write " + rel + ": " + e.code().message());
  }
}

}  // namespace droid::runner::tools
