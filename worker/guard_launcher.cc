#include "worker/guard_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "step_guard/descriptors.h"

extern char** environ;

namespace wsfleet::worker {
namespace {

// The server's end of the socket, in the server.
constexpr int kServerSocketFd = 3;

template <typename Value>
bool ReadWhole(int fd, Value& value) {
  return step_guard::ReadFully(fd, &value, sizeof value);
}

}  // namespace

GuardLauncher::~GuardLauncher() {
  std::lock_guard<std::mutex> lock(mutex_);
  StopServer();
}

pid_t GuardLauncher::server_pid() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return server_;
}

void GuardLauncher::StopServer() {
  if (socket_ >= 0) ::close(socket_);
  socket_ = -1;
  // It leaves when its socket closes; one that will not (stopped, say) is not waited for.
  if (server_ > 0) {
    for (int tries = 0; tries < 100 && ::waitpid(server_, nullptr, WNOHANG) == 0; ++tries) ::usleep(1000);
    if (::waitpid(server_, nullptr, WNOHANG) == 0) {
      ::kill(server_, SIGKILL);
      ::waitpid(server_, nullptr, 0);
    }
  }
  server_ = 0;
}

// Forked by hand rather than posix_spawn'd: the thread starting it may be checking files as
// the step user (ThreadFilesystemUser), and the server must start with the worker's own IDs
// in full. The child makes only async-signal-safe calls (the worker has other threads); an
// exec that fails sends its errno back through a close-on-exec pipe.
int GuardLauncher::StartServer() {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return errno;
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    return error;
  }
  std::string fd = std::to_string(kServerSocketFd);
  std::vector<char*> argv = {const_cast<char*>(guard_path_.c_str()), const_cast<char*>("--serve"), fd.data(), nullptr};
  pid_t pid = ::fork();
  if (pid == 0) {
    step_guard::DefaultSignals();
    // Its own group: a terminal's Ctrl-C goes to the worker, which ends its steps itself.
    ::setpgid(0, 0);
    ::syscall(SYS_setfsgid, ::getegid());
    ::syscall(SYS_setfsuid, ::geteuid());
    int error = 0;
    if (::dup2(ends[1], kServerSocketFd) < 0) {
      error = errno;
    } else {
      ::execve(argv[0], argv.data(), environ);
      error = errno;
    }
    [[maybe_unused]] ssize_t written = ::write(report[1], &error, sizeof error);
    ::_exit(127);
  }
  int error = pid < 0 ? errno : 0;
  ::close(ends[1]);
  ::close(report[1]);
  if (pid > 0) {
    ::setpgid(pid, pid);
    int32_t exec_error = 0;
    if (ReadWhole(report[0], exec_error) && exec_error != 0) {
      ::waitpid(pid, nullptr, 0);
      error = exec_error;
    }
  }
  ::close(report[0]);
  if (error != 0) {
    ::close(ends[0]);
    return error;
  }
  socket_ = ends[0];
  server_ = pid;
  return 0;
}

GuardLauncher::Started GuardLauncher::Launch(const step_guard::GuardRequest& request, int out, int err,
                                             int fence) {
  Started started;
  int status[2];
  if (::pipe2(status, O_CLOEXEC) != 0) {
    started.error = errno;
    return started;
  }
  std::string body = step_guard::EncodeGuardRequest(request);
  auto size = static_cast<uint32_t>(body.size());
  std::string message(reinterpret_cast<const char*>(&size), sizeof size);
  message += body;
  const int fds[step_guard::kGuardRequestFds] = {out, err, fence, status[1]};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    int error = socket_ < 0 ? StartServer() : 0;
    // A server that has gone (killed, say) refuses the first bytes of a request, so none of
    // it was taken: a new one gets it whole.
    if (error == 0 && (error = step_guard::SendWithDescriptors(socket_, message, fds)) != 0 && (error == EPIPE || error == ECONNRESET)) {
      StopServer();
      error = StartServer();
      if (error == 0) error = step_guard::SendWithDescriptors(socket_, message, fds);
    }
    if (error != 0) {
      if (error != EPIPE && error != ECONNRESET) StopServer();  // out of step: start afresh next time
      started.error = error;
    }
  }
  ::close(status[1]);
  step_guard::GuardReport report;
  if (started.error == 0 && !ReadWhole(status[0], report)) started.error = ECHILD;  // the server went away
  if (started.error == 0 && (report.news != step_guard::kGuardStarted || report.value == 0)) started.error = EPROTO;
  if (started.error == 0 && report.value < 0) started.error = -report.value;
  if (started.error != 0) {
    ::close(status[0]);
    return started;
  }
  started.pid = report.value;
  started.status_fd = status[0];
  return started;
}

bool GuardLauncher::WaitStatus(int status_fd, int& status, bool& swept) {
  step_guard::GuardReport report;
  while (ReadWhole(status_fd, report)) {
    if (report.news == step_guard::kGuardSwept || report.news == step_guard::kGuardEnded) {
      swept = report.news == step_guard::kGuardSwept;
      status = report.value;
      return true;
    }
  }
  return false;
}

}  // namespace wsfleet::worker
