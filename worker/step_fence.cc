#include "worker/step_fence.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

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
  // A guard that stops reading must not stall the worker: a full pipe drops a deadline,
  // and the next one follows within a heartbeat.
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  std::lock_guard<std::mutex> lock(mutex_);
  write_ends_.insert(fds[1]);
  if (deadline_ms_ > 0) Send(fds[1], deadline_ms_);
  return {read_end, fds[1]};
}

void StepFence::Close(int write_end) {
  if (write_end < 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (write_ends_.erase(write_end) > 0) ::close(write_end);
}

namespace {

// The guard's clock (step_guard/step_guard.cc reads the same one).
int64_t MonotonicMillis() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

}  // namespace

void StepFence::RenewFor(std::chrono::milliseconds left) {
  int64_t deadline = MonotonicMillis() + std::max<int64_t>(left.count(), 1);
  std::lock_guard<std::mutex> lock(mutex_);
  deadline_ms_ = deadline;
  for (int fd : write_ends_) Send(fd, deadline);
}

bool StepFence::Lapsed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return deadline_ms_ > 0 && MonotonicMillis() >= deadline_ms_;
}

void StepFence::Send(int fd, int64_t deadline_ms) {
  // A guard that has just ended (its step killed) leaves a pipe without a reader until the
  // step's runner closes it: the write fails with EPIPE and raises SIGPIPE, whose default
  // action would end the worker without a word. Blocked around the write, and a SIGPIPE
  // the write raised is taken back before unblocking.
  sigset_t pipe_signal, before;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &before);
  ssize_t written = ::write(fd, &deadline_ms, sizeof deadline_ms);
  if (written < 0 && errno == EPIPE) {
    timespec none{};
    while (::sigtimedwait(&pipe_signal, nullptr, &none) == SIGPIPE) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace wsfleet::worker
