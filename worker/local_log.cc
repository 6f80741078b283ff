#include "worker/local_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace wsfleet::worker {

LocalLog::LocalLog(std::string log_path, std::string transcript_path)
    : log_path_(std::move(log_path)), transcript_path_(std::move(transcript_path)) {}

LocalLog::~LocalLog() {
  if (log_fd_ >= 0) ::close(log_fd_);
  if (transcript_fd_ >= 0) ::close(transcript_fd_);
}

bool LocalLog::Open(const std::string& path, int& fd, uint64_t* size) {
  if (fd >= 0) return true;
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  if (size != nullptr) {
    // Normally a new file; one left by a crash continues where it ends.
    struct stat info {};
    if (::fstat(fd, &info) != 0) return false;
    *size = static_cast<uint64_t>(info.st_size);
  }
  return true;
}

bool LocalLog::Append(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool LocalLog::Take(v1::LogChunk& chunk) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failed_) return false;
  if (!Open(log_path_, log_fd_, &log_size_) ||
      (chunk.transcript() && !Open(transcript_path_, transcript_fd_, nullptr))) {
    failed_ = true;
    return false;
  }
  // A failed write leaves bytes no stored event names; the coordinator's ranges skip them.
  // (The coordinator shares this file system: where writing fails here, its own writes
  // fail too, and it stops rather than acknowledge what it could not store.)
  if (!Append(log_fd_, chunk.data()) ||
      (chunk.transcript() && !Append(transcript_fd_, chunk.data()))) {
    failed_ = true;
    return false;
  }
  chunk.set_in_file(true);
  chunk.set_offset(log_size_);
  chunk.set_length(chunk.data().size());
  log_size_ += chunk.data().size();
  chunk.clear_data();
  return true;
}

}  // namespace wsfleet::worker
