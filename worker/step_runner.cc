#include "worker/step_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

#include "step_guard/descriptors.h"
#include "worker/process_sweep.h"

namespace wsfleet::worker {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int read = -1;
  int write = -1;
};

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(signal);
}

// Where a guard finds its fence (see step_fence.h).
constexpr int kGuardFenceFd = 3;

int OpenPidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// Everything the child needs, prepared before spawning so the parent owns cleanup.
class Spawner {
 public:
  ~Spawner() {
    if (have_actions_) posix_spawn_file_actions_destroy(&actions_);
    if (have_attributes_) posix_spawnattr_destroy(&attributes_);
  }

  // `tag` ("KEY=value") is added to the step's environment. With `fence_read` (>= 0) the
  // step runs under its guard, which gets that pipe as fd 3 and whose wait status comes
  // through `status_fd` (GuardLauncher); otherwise the step is the worker's child.
  int Spawn(const StepLaunch& launch, const std::string& tag, const Pipe& out, const Pipe& err, int fence_read,
            pid_t& pid, int& status_fd) {
    tag_ = tag;
    user_ = launch.user ? &*launch.user : nullptr;
    if (fence_read >= 0) return SpawnGuarded(launch, out, err, fence_read, pid, status_fd);
    workdir_ = launch.workdir;
    out_ = out.write;
    err_ = err.write;
    posix_spawn_file_actions_init(&actions_);
    have_actions_ = true;
    posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions_, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions_, err.write, STDERR_FILENO);
    if (!launch.workdir.empty()) {
      posix_spawn_file_actions_addchdir_np(&actions_, launch.workdir.c_str());
    }
    posix_spawnattr_init(&attributes_);
    have_attributes_ = true;
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes_, &all);
    posix_spawnattr_setsigmask(&attributes_, &none);
    posix_spawnattr_setpgroup(&attributes_, 0);
    posix_spawnattr_setflags(&attributes_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                               POSIX_SPAWN_SETSIGMASK);
    if (launch.direct &&
        SpawnWith(launch.direct->path, launch.direct->argv, launch.direct->env, pid) == 0) {
      return 0;
    }
    return SpawnWith(launch.argv.front(), launch.argv, launch.env, pid);
  }

 private:
  // The guard (as the worker's user) drops to the step user itself, just before the step:
  // it must be able to kill whatever the step starts. It tries the direct command and
  // falls back to the shell itself.
  int SpawnGuarded(const StepLaunch& launch, const Pipe& out, const Pipe& err, int fence_read, pid_t& pid,
                   int& status_fd) {
    step_guard::GuardRequest request;
    request.workdir = launch.workdir;
    request.args = {std::to_string(kGuardFenceFd)};
    if (user_ != nullptr) {
      std::string groups;
      for (gid_t group : user_->groups) groups += (groups.empty() ? "" : ",") + std::to_string(group);
      request.args.insert(request.args.end(), {"--user", std::to_string(user_->uid), std::to_string(user_->gid),
                                               groups.empty() ? "-" : groups});
    }
    if (launch.direct) {
      request.args.insert(request.args.end(),
                          {"--direct", launch.direct->path, std::to_string(launch.direct->argv.size())});
      request.args.insert(request.args.end(), launch.direct->argv.begin(), launch.direct->argv.end());
    }
    request.args.push_back("--");
    request.args.insert(request.args.end(), launch.argv.begin(), launch.argv.end());
    request.env = Environment(launch.direct ? launch.direct->env : launch.env);
    GuardLauncher::Started started = launch.fence->launcher().Launch(request, out.write, err.write, fence_read);
    pid = started.pid;
    status_fd = started.status_fd;
    return started.error;
  }

  // The step's environment: its tag first, then `env` (as the step user's, with one).
  std::vector<std::string> Environment(const std::vector<std::string>& env) const {
    std::vector<std::string> entries;
    if (!tag_.empty()) entries.push_back(tag_);
    if (user_ != nullptr) {
      std::vector<std::string> user_env = EnvironmentFor(*user_, env);
      entries.insert(entries.end(), std::make_move_iterator(user_env.begin()), std::make_move_iterator(user_env.end()));
    } else {
      entries.insert(entries.end(), env.begin(), env.end());
    }
    return entries;
  }

  int SpawnWith(const std::string& path, const std::vector<std::string>& args,
                const std::vector<std::string>& env, pid_t& pid) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> entries = Environment(env);
    std::vector<char*> envp;
    for (std::string& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);
    if (user_ != nullptr) return SpawnForked(path, argv.data(), envp.data(), pid);
    return posix_spawn(&pid, path.c_str(), &actions_, &attributes_, argv.data(), envp.data());
  }

  // What posix_spawn does above, and then the step user's groups and IDs before the exec,
  // which posix_spawn cannot do (a step without a guard). The child makes only
  // async-signal-safe system calls (the worker has other threads); an exec that fails
  // sends its errno back through a close-on-exec pipe.
  int SpawnForked(const std::string& path, char** argv, char** envp, pid_t& pid) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return errno;
    const char* file = path.c_str();
    const char* workdir = workdir_.empty() ? nullptr : workdir_.c_str();
    const StepUser* drop = user_;
    pid = ::fork();
    if (pid < 0) {
      int error = errno;
      ::close(report[0]);
      ::close(report[1]);
      return error;
    }
    if (pid == 0) {
      step_guard::DefaultSignals();
      int error = 0;
      int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (::setpgid(0, 0) != 0 || null < 0 || ::dup2(null, STDIN_FILENO) < 0 ||
          ::dup2(out_, STDOUT_FILENO) < 0 || ::dup2(err_, STDERR_FILENO) < 0 ||
          ::syscall(SYS_setgroups, drop->groups.size(), drop->groups.data()) != 0 ||
          ::syscall(SYS_setresgid, drop->gid, drop->gid, drop->gid) != 0 ||
          ::syscall(SYS_setresuid, drop->uid, drop->uid, drop->uid) != 0 ||
          (workdir != nullptr && ::chdir(workdir) != 0)) {  // as the user: where it may go
        error = errno;
      } else {
        ::execve(file, argv, envp);
        error = errno;
      }
      [[maybe_unused]] ssize_t written = ::write(report[1], &error, sizeof error);
      ::_exit(127);
    }
    ::close(report[1]);
    ::setpgid(pid, pid);  // as posix_spawn's: the group exists before anyone signals it
    int error = 0;
    ssize_t got;
    do {
      got = ::read(report[0], &error, sizeof error);
    } while (got < 0 && errno == EINTR);
    ::close(report[0]);
    if (got == static_cast<ssize_t>(sizeof error) && error != 0) {
      ::waitpid(pid, nullptr, 0);
      pid = 0;
      return error;
    }
    return 0;
  }

  posix_spawn_file_actions_t actions_;
  posix_spawnattr_t attributes_;
  const StepUser* user_ = nullptr;  // who the step runs as, and whose environment it gets
  std::string workdir_;
  int out_ = -1;
  int err_ = -1;
  bool have_actions_ = false;
  bool have_attributes_ = false;
  std::string tag_;
};

}  // namespace

std::string StepResult::Describe() const {
  if (!started) return "did not start: " + error;
  std::string text = signal != 0 ? "killed by " + SignalName(signal)
                                 : "exit " + std::to_string(exit_code);
  if (hung) {
    text += " after no output for its hang timeout (hung)";
  } else if (timed_out) {
    text += " after timeout";
  }
  if (cancelled) text += " (cancelled)";
  return text;
}

StepRunner::StepRunner() : cancel_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

StepRunner::~StepRunner() { CloseFd(cancel_fd_); }

void StepRunner::Cancel() {
  cancelled_ = true;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(cancel_fd_, &one, sizeof one);
}

StepResult StepRunner::Run(const StepLaunch& launch, OutputSink& sink) {
  StepResult result;
  if (launch.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  if (cancelled_) {
    result.error = "cancelled before it started";
    result.cancelled = true;
    return result;
  }
  Pipe out, err;
  int out_fds[2], err_fds[2];
  if (::pipe2(out_fds, O_CLOEXEC) != 0 || ::pipe2(err_fds, O_CLOEXEC) != 0) {
    result.error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  out = {out_fds[0], out_fds[1]};
  err = {err_fds[0], err_fds[1]};
  // A larger pipe means fewer, larger reads for chatty steps (best effort: capped by
  // /proc/sys/fs/pipe-max-size).
  ::fcntl(out.read, F_SETPIPE_SZ, 1 << 20);
  Clock::time_point start = Clock::now();
  pid_t pid = 0;
  // Every process of the step carries the tag, so those that left its process group (a
  // command an agent ran in the background, in a session of its own) end with it too.
  const std::string tag = NewStepTag();
  StepFence::Ends fence;
  if (launch.fence != nullptr && !launch.fence->guard_path().empty()) {
    fence = launch.fence->Open();
    if (fence.read < 0) {
      result.error = std::string("cannot make the step's fence: ") + std::strerror(errno);
      CloseFd(out.read);
      CloseFd(out.write);
      CloseFd(err.read);
      CloseFd(err.write);
      return result;
    }
  }
  // Closed when Run returns: a guard still there then learns the step is over for us.
  struct FenceRelease {
    StepFence* fence;
    int write;
    ~FenceRelease() {
      if (fence != nullptr) fence->Close(write);
    }
  } release{fence.write >= 0 ? launch.fence : nullptr, fence.write};
  int status_fd = -1;  // under a guard: where its wait status comes from
  int spawn_error = Spawner().Spawn(launch, tag, out, err, fence.read, pid, status_fd);
  CloseFd(fence.read);
  CloseFd(out.write);
  CloseFd(err.write);
  if (spawn_error != 0) {
    // Under a guard, what failed to start is the guard (the step's own failure to start is
    // the guard's exit 127 and its message).
    result.error = (fence.write >= 0 ? launch.fence->guard_path() : launch.argv[0]) + ": " + std::strerror(spawn_error) +
                   (launch.workdir.empty() ? "" : " (in " + launch.workdir + ")");
    CloseFd(out.read);
    CloseFd(err.read);
    return result;
  }
  result.started = true;
  pid_ = pid;
  // What says the leader ended: the guard's status pipe, else a pidfd (none on old kernels).
  int pidfd = status_fd < 0 ? OpenPidfd(pid) : -1;
  int exit_fd = status_fd >= 0 ? status_fd : pidfd;

  // Deadlines: the step's timeout, then the grace between SIGTERM and SIGKILL. The hang
  // deadline moves with every output.
  bool has_deadline = launch.timeout.count() > 0;
  Clock::time_point deadline = start + launch.timeout;
  bool watch_hang = launch.hang_timeout.count() > 0;
  Clock::time_point hang_deadline = start + launch.hang_timeout;
  bool term_sent = false;
  bool exited = false;
  int status = 0;
  bool swept = false;  // the guard ended having left nothing of the step running
  auto reap = [&] {
    if (status_fd < 0) return ::waitpid(pid, &status, 0) == pid;
    if (!GuardLauncher::WaitStatus(status_fd, status, swept)) {
      spdlog::warn("neither the guard of step {} nor its server said how it ended (both gone): ending it", pid);
      status = SIGKILL;  // as a wait status: killed by SIGKILL
    }
    return true;
  };
  auto signal_all = [&](int signal) {
    ::kill(-pid, signal);
    if (!swept) SignalProcessesWithEnvironment(tag, signal);
  };
  auto terminate = [&](bool by_timeout) {
    if (term_sent) return;
    term_sent = true;
    (by_timeout ? result.timed_out : result.cancelled) = true;
    signal_all(SIGTERM);
    has_deadline = true;
    deadline = Clock::now() + launch.kill_grace;
  };
  // Not value-initialised: a megabyte of zeros per step is measurable on short steps.
  constexpr size_t kBufferSize = 1 << 20;
  std::unique_ptr<char[]> buffer_storage(new char[kBufferSize]);
  char* buffer = buffer_storage.get();
  Clock::time_point drain_deadline{};
  // Until the leader has exited and its output is drained (a step may close its output
  // and keep running: it still gets its timeout).
  while (!exited || out.read >= 0 || err.read >= 0) {
    if (!exited) {
      // Without a pidfd (old kernels) the exit is noticed by polling waitpid.
      pid_t done = exit_fd >= 0 ? 0 : ::waitpid(pid, &status, WNOHANG);
      if (done == pid) exited = true;
    }
    if (exited && drain_deadline == Clock::time_point{}) {
      // The leader is gone: kill what it left behind so the pipes reach EOF.
      signal_all(SIGKILL);
      drain_deadline = Clock::now() + std::chrono::seconds(2);
    }
    Clock::time_point now = Clock::now();
    if (exited && now >= drain_deadline) break;
    if (!exited && !term_sent && watch_hang && now >= hang_deadline) {
      result.hung = true;
      terminate(/*by_timeout=*/true);
      continue;
    }
    if (!exited && has_deadline && now >= deadline) {
      if (term_sent) {
        signal_all(SIGKILL);
        deadline = now + std::chrono::hours(24);
      } else {
        terminate(/*by_timeout=*/true);
      }
      continue;
    }
    struct pollfd fds[4];
    int count = 0;
    int out_index = -1, err_index = -1, pid_index = -1, cancel_index = -1;
    if (out.read >= 0) fds[out_index = count++] = {out.read, POLLIN, 0};
    if (err.read >= 0) fds[err_index = count++] = {err.read, POLLIN, 0};
    if (exit_fd >= 0 && !exited) fds[pid_index = count++] = {exit_fd, POLLIN, 0};
    if (!term_sent) fds[cancel_index = count++] = {cancel_fd_, POLLIN, 0};
    Clock::time_point wake = exited ? drain_deadline
                             : has_deadline ? deadline
                                            : now + std::chrono::hours(1);
    if (!exited && !term_sent && watch_hang) wake = std::min(wake, hang_deadline);
    if (exit_fd < 0 && !exited) wake = std::min(wake, now + std::chrono::milliseconds(10));
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    int ready = ::poll(fds, static_cast<nfds_t>(count), static_cast<int>(std::max<int64_t>(wait_ms, 0) + 1));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    auto drain = [&](int index, int& fd, OutputStream stream) {
      if (index < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = ::read(fd, buffer, kBufferSize);
      if (got > 0) {
        hang_deadline = Clock::now() + launch.hang_timeout;
        sink.OnOutput(stream, std::string_view(buffer, static_cast<size_t>(got)));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    };
    drain(out_index, out.read, OutputStream::kStdout);
    drain(err_index, err.read, OutputStream::kStderr);
    if (pid_index >= 0 && fds[pid_index].revents != 0 && reap()) exited = true;
    if (cancel_index >= 0 && (fds[cancel_index].revents & POLLIN)) terminate(false);
  }
  CloseFd(out.read);
  CloseFd(err.read);
  if (!exited) {
    signal_all(SIGKILL);
    reap();
  } else if (!swept) {
    // Once more: a process in the middle of an exec shows no environment for an instant.
    SignalProcessesWithEnvironment(tag, SIGKILL);
  }
  if (pidfd >= 0) ::close(pidfd);
  if (status_fd >= 0) ::close(status_fd);
  result.duration = Clock::now() - start;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace wsfleet::worker
