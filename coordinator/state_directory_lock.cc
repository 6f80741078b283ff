#include "coordinator/state_directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "absl/strings/str_split.h"

namespace wsfleet::coordinator {
namespace {

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[512];
  ssize_t got;
  off_t offset = 0;
  while ((got = ::pread(fd, buffer, sizeof buffer, offset)) > 0 && text.size() < 4096) {
    text.append(buffer, static_cast<size_t>(got));
    offset += got;
  }
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StateDirectoryLock>> StateDirectoryLock::Acquire(const std::string& state_dir,
                                                                               const std::string& owner) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  std::string path = (std::filesystem::path(state_dir) / "owner.lock").string();
  // Close-on-exec: a worker or step started later must not keep the directory taken.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError("cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int lock_error = errno;
    std::string holder = ReadAll(fd);
    ::close(fd);
    if (lock_error != EWOULDBLOCK) {
      return absl::FailedPreconditionError("cannot lock " + path + ": " + std::strerror(lock_error));
    }
    std::vector<std::string> lines = absl::StrSplit(holder, '\n');
    std::string pid = !lines.empty() && !lines[0].empty() ? lines[0] : "unknown";
    std::string what = lines.size() > 1 ? lines[1] : "";
    return absl::FailedPreconditionError("state directory " + state_dir + " is in use by pid " + pid +
                                         (what.empty() ? "" : " (" + what + ")") +
                                         "; stop it, or use another --state");
  }
  std::string text = std::to_string(::getpid()) + "\n" + owner + " since " + NowIso8601() + "\n";
  // Should the write fail, the lock holds all the same; only a second owner's refusal says less.
  [[maybe_unused]] bool written =
      ::ftruncate(fd, 0) == 0 && ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
  return std::unique_ptr<StateDirectoryLock>(new StateDirectoryLock(fd));
}

StateDirectoryLock::~StateDirectoryLock() { ::close(fd_); }

}  // namespace wsfleet::coordinator
