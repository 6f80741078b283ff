#include "security/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"

namespace wsfleet::security {
namespace fs = std::filesystem;

absl::Status EnsurePrivateDirectory(const std::string& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return absl::PermissionDeniedError(path + ": cannot create it: " + error.message());
  if (::chmod(path.c_str(), 0700) != 0) {
    return absl::PermissionDeniedError(path + ": cannot make it private: " + std::strerror(errno));
  }
  return absl::OkStatus();
}

absl::Status WriteSecretFile(const std::string& path, const std::string& text) {
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(temporary + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // an older file of the same name may have had other bits
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(temporary.c_str());
      return absl::ResourceExhaustedError(temporary + ": " + why);
    }
    written += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    return absl::ResourceExhaustedError(path + ": " + why);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path, bool require_private) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return absl::NotFoundError(path + ": " + std::strerror(errno));
  if (require_private && (info.st_mode & 0077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", info.st_mode & 07777);
    return absl::PermissionDeniedError(path + " is readable by others (mode " + mode +
                                       "); chmod 600 it, or make a new one");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot read it");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace wsfleet::security
