#include "worker/step_fence.h"

#include <fcntl.h>
#include <unistd.h>

namespace wsfleet::worker {

StepFence::~StepFence() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (int fd : write_ends_) ::close(fd);
}

StepFence::Ends StepFence::Open() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  // Well clear of 0-3, so that moving it to fd 3 in the child is a real dup2 (which drops
  // close-on-exec) and never a no-op on itself.
  int read_end = ::fcntl(fds[0], F_DUPFD_CLOEXEC, 10);
  ::close(fds[0]);
  if (read_end < 0) {
    ::close(fds[1]);
    return {};
  }
  std::lock_guard<std::mutex> lock(mutex_);
  write_ends_.insert(fds[1]);
  return {read_end, fds[1]};
}

void StepFence::Close(int write_end) {
  if (write_end < 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (write_ends_.erase(write_end) > 0) ::close(write_end);
}

}  // namespace wsfleet::worker
