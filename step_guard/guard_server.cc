#include "step_guard/guard_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "step_guard/descriptors.h"
#include "step_guard/guard_request.h"
#include "step_guard/step_guard.h"

extern char** environ;

namespace wsfleet::step_guard {
namespace {

// Where the guard finds its fence, as when a worker execs it (see worker/step_fence.h).
constexpr int kFenceFd = 3;

void Say(const std::string& text) {
  std::string line = "wsfleet-step-guard: " + text + "\n";
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

void Report(int status_fd, GuardNews news, int32_t value) {
  GuardReport report{news, value};
  [[maybe_unused]] ssize_t written = ::write(status_fd, &report, sizeof report);
}

struct Received {
  GuardRequest request;
  int fds[kGuardRequestFds] = {-1, -1, -1, -1};
  int fd_count = 0;

  void CloseAll() {
    for (int i = 0; i < fd_count; ++i) ::close(fds[i]);
    fd_count = 0;
  }
};

// One request: its length (with the descriptors), then its bytes. False at the worker's
// end of the stream, or when what came is not a request (the stream is then out of step).
bool Receive(int control, Received& into, bool& well_formed) {
  well_formed = false;
  uint32_t size = 0;
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(int) * kGuardRequestFds)];
  iovec io{&size, sizeof size};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control_buffer;
  message.msg_controllen = sizeof control_buffer;
  ssize_t got;
  do {
    got = ::recvmsg(control, &message, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return false;
  for (cmsghdr* part = CMSG_FIRSTHDR(&message); part != nullptr; part = CMSG_NXTHDR(&message, part)) {
    if (part->cmsg_level != SOL_SOCKET || part->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (part->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(part) + i * sizeof(int), sizeof fd);
      if (into.fd_count < kGuardRequestFds) {
        into.fds[into.fd_count++] = fd;
      } else {
        ::close(fd);
      }
    }
  }
  if (got < static_cast<ssize_t>(sizeof size) &&
      !ReadFully(control, reinterpret_cast<char*>(&size) + got, sizeof size - static_cast<size_t>(got))) {
    return false;
  }
  if (size > kGuardRequestLimit) return false;
  std::string bytes(size, '\0');
  if (!ReadFully(control, bytes.data(), size)) return false;
  well_formed = into.fd_count == kGuardRequestFds && (message.msg_flags & MSG_CTRUNC) == 0 &&
                DecodeGuardRequest(bytes, into.request);
  return true;
}

// The forked guard: the step's descriptors in place, its directory, its group; then what a
// guard exec'd by the worker would do. Never returns.
[[noreturn]] void BecomeGuard(Received& received, GuardedCommand& command) {
  DefaultSignals();
  // Clear of the descriptors about to be filled (a server started without fd 3 taken
  // may have been handed one of them).
  for (int& fd : received.fds) {
    if (fd <= kFenceFd) fd = ::fcntl(fd, F_DUPFD_CLOEXEC, kFenceFd + 1);
  }
  int status_fd = received.fds[3];
  int error = 0;
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (::setpgid(0, 0) != 0 || null < 0 || ::dup2(null, STDIN_FILENO) < 0 ||
      ::dup2(received.fds[0], STDOUT_FILENO) < 0 || ::dup2(received.fds[1], STDERR_FILENO) < 0 ||
      ::dup2(received.fds[2], kFenceFd) < 0 ||
      (!received.request.workdir.empty() && ::chdir(received.request.workdir.c_str()) != 0)) {
    error = errno;
  }
  Report(status_fd, kGuardStarted, error != 0 ? -error : static_cast<int32_t>(::getpid()));
  if (error != 0) ::_exit(127);
  // Nothing of the server's (its socket, other steps' status pipes) reaches the step; the
  // guard's own status pipe is close-on-exec.
  for (int fd = kFenceFd + 1; fd < status_fd; ++fd) ::close(fd);
  if (::close_range(static_cast<unsigned>(status_fd) + 1, ~0U, 0) != 0) {
    for (int fd = status_fd + 1; fd < 1024; ++fd) ::close(fd);
  }
  command.fence_fd = kFenceFd;
  std::string tag;
  std::vector<char*> env;
  for (std::string& entry : received.request.env) {
    if (entry.rfind("WSFLEET_STEP_TAG=", 0) == 0) tag = entry;
    env.push_back(entry.data());
  }
  env.push_back(nullptr);
  environ = env.data();
  int signal_to_raise = 0;
  int status = RunGuarded(command, tag, &signal_to_raise);
  // The wait status it is about to have: the worker need not wait for the server to reap.
  Report(status_fd, kGuardSwept, signal_to_raise != 0 ? signal_to_raise : (status & 0xff) << 8);
  if (signal_to_raise != 0) {
    ::signal(signal_to_raise, SIG_DFL);
    ::raise(signal_to_raise);
  }
  ::_exit(status);
}

void Launch(Received& received, bool well_formed, std::map<pid_t, int>& status_fds) {
  GuardedCommand command;
  std::string error;
  if (!well_formed || !ParseGuardArguments(received.request.args, command, error)) {
    Say("a request from the worker was not understood" + (error.empty() ? "" : ": " + error));
    if (received.fd_count == kGuardRequestFds) Report(received.fds[3], kGuardStarted, -EINVAL);
    received.CloseAll();
    return;
  }
  pid_t guard = ::fork();
  if (guard == 0) BecomeGuard(received, command);
  if (guard < 0) Report(received.fds[3], kGuardStarted, -errno);
  for (int i = 0; i < 3; ++i) ::close(received.fds[i]);
  if (guard < 0) {
    ::close(received.fds[3]);
  } else {
    status_fds[guard] = received.fds[3];
  }
}

void ReportEnded(std::map<pid_t, int>& status_fds) {
  int status = 0;
  pid_t ended;
  while ((ended = ::waitpid(-1, &status, WNOHANG)) > 0) {
    auto found = status_fds.find(ended);
    if (found == status_fds.end()) continue;
    Report(found->second, kGuardEnded, status);
    ::close(found->second);
    status_fds.erase(found);
  }
}

}  // namespace

int ServeSteps(int control_fd) {
  // A worker gone mid-step leaves status pipes without readers: their writes fail instead.
  ::signal(SIGPIPE, SIG_IGN);
  // Started in a group of its own; a terminal's Ctrl-C is the worker's to handle.
  ::signal(SIGINT, SIG_IGN);
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &child, nullptr);
  int children = ::signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) {
    Say(std::string("signalfd: ") + std::strerror(errno));
    return 1;
  }
  std::map<pid_t, int> status_fds;  // each running guard's status pipe
  while (true) {
    pollfd fds[2] = {{control_fd, POLLIN, 0}, {children, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Say(std::string("poll: ") + std::strerror(errno));
      return 1;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (::read(children, &info, sizeof info) > 0) {
      }
      ReportEnded(status_fds);
    }
    if (fds[0].revents != 0) {
      Received received;
      bool well_formed = false;
      if (!Receive(control_fd, received, well_formed)) {
        received.CloseAll();
        return 0;  // the worker is gone, or out of step with us: either way, done
      }
      Launch(received, well_formed, status_fds);
    }
  }
}

}  // namespace wsfleet::step_guard
