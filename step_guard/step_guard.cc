#include "step_guard/step_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace wsfleet::step_guard {
namespace {

bool ReadWhole(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buffer[8192];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(got));
  ::close(fd);
  return true;
}

// From /proc/PID/stat: its parent and its process group.
bool ParentAndGroup(pid_t pid, pid_t& parent, pid_t& group) {
  std::string stat;
  if (!ReadWhole("/proc/" + std::to_string(pid) + "/stat", stat)) return false;
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return false;
  char state = 0;
  long ppid = 0, pgrp = 0;
  if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) return false;
  parent = static_cast<pid_t>(ppid);
  group = static_cast<pid_t>(pgrp);
  return true;
}

bool HoldsEntry(const std::string& environment, const std::string& entry) {
  for (size_t at = 0; (at = environment.find(entry, at)) != std::string::npos; at += entry.size()) {
    bool starts = at == 0 || environment[at - 1] == '\0';
    size_t end = at + entry.size();
    if (starts && (end == environment.size() || environment[end] == '\0')) return true;
  }
  return false;
}

std::vector<char*> Pointers(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& text : strings) pointers.push_back(const_cast<char*>(text.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

void Say(const std::string& text) {
  std::string line = "wsfleet-step-guard: " + text + "\n";
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

template <typename Id>
bool ParseId(const std::string& text, Id& out) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (value >= 0xffffffffULL) return false;  // (uid_t)-1 means "unchanged" to the kernel
  out = static_cast<Id>(value);
  return true;
}

bool ParseGroups(const std::string& text, std::vector<gid_t>& out) {
  out.clear();
  if (text == "-") return true;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    gid_t group = 0;
    if (!ParseId(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start), group)) {
      return false;
    }
    out.push_back(group);
    if (comma == std::string::npos) return true;
    start = comma + 1;
  }
}

// Reaps what has ended; true when a child is still running.
bool HasChildren() {
  pid_t reaped;
  while ((reaped = ::waitpid(-1, nullptr, WNOHANG)) > 0) {
  }
  return reaped == 0;
}

}  // namespace

bool ParseGuardArguments(const std::vector<std::string>& args, GuardedCommand& out, std::string& error) {
  size_t at = 0;
  auto next = [&](std::string& into) {
    if (at >= args.size()) return false;
    into = args[at++];
    return true;
  };
  std::string fd;
  if (!next(fd) || fd.empty() || fd.find_first_not_of("0123456789") != std::string::npos) {
    error = "the first argument is the fence's file descriptor";
    return false;
  }
  out.fence_fd = std::atoi(fd.c_str());
  std::string word;
  if (!next(word)) {
    error = "no command";
    return false;
  }
  if (word == "--user") {
    std::string uid, gid, groups;
    if (!next(uid) || !next(gid) || !next(groups) || !ParseId(uid, out.uid) || !ParseId(gid, out.gid) ||
        !ParseGroups(groups, out.groups)) {
      error = "--user takes a user ID, a group ID and a comma-separated list of group IDs (or -)";
      return false;
    }
    if (out.uid == 0) {
      error = "--user 0: the step user is never root";
      return false;
    }
    out.as_user = true;
    if (!next(word)) word.clear();
  }
  if (word == "--direct") {
    std::string count;
    if (!next(out.direct_path) || !next(count) || count.empty() ||
        count.find_first_not_of("0123456789") != std::string::npos || std::atoi(count.c_str()) < 1) {
      error = "--direct takes a path, a count and that many arguments";
      return false;
    }
    for (int i = std::atoi(count.c_str()); i > 0; --i) {
      std::string arg;
      if (!next(arg)) {
        error = "--direct has fewer arguments than its count";
        return false;
      }
      out.direct_argv.push_back(arg);
    }
    if (!next(word)) word.clear();
  }
  if (word != "--" || at >= args.size()) {
    error = "the shell command follows --";
    return false;
  }
  out.shell_path = args[at];
  out.shell_argv.assign(args.begin() + static_cast<std::ptrdiff_t>(at), args.end());
  return true;
}

int64_t MonotonicMillis() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

void KillEverything(const std::string& tag, int rounds) {
  pid_t self = ::getpid();
  // The worker starts the guard leading its own group, shared with the step; run any
  // other way, the group is someone else's (a shell's) and not the guard's to kill.
  pid_t own_group = ::getpgrp() == self ? self : -1;
  std::string environment;
  for (int round = 0; round < rounds; ++round) {
    int killed = 0;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (dirent* item = ::readdir(proc)) {
      char* end = nullptr;
      long number = std::strtol(item->d_name, &end, 10);
      if (end == item->d_name || *end != '\0' || number <= 0 || number == self) continue;
      auto pid = static_cast<pid_t>(number);
      pid_t parent = 0, group = 0;
      if (!ParentAndGroup(pid, parent, group)) continue;
      bool ours = parent == self || group == own_group ||
                  (!tag.empty() && ReadWhole("/proc/" + std::to_string(pid) + "/environ", environment) &&
                   HoldsEntry(environment, tag));
      if (ours && ::kill(pid, SIGKILL) == 0) ++killed;
    }
    ::closedir(proc);
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (killed == 0) return;
    ::usleep(10000);
  }
}

int RunGuarded(const GuardedCommand& command, const std::string& tag, int* signal_to_raise) {
  *signal_to_raise = 0;
  // Orphans of the step (a daemon started with setsid, a double fork) become the guard's
  // children rather than init's: still in reach when the step must die.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // The worker's SIGTERM to the group is for the step; the guard waits for it to end.
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  // With the worker gone, so is the reader of the step's output: a line on stderr then
  // must not end the guard before it has done its job.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<char*> direct_argv = Pointers(command.direct_argv);
  std::vector<char*> shell_argv = Pointers(command.shell_argv);
  pid_t step = ::fork();
  if (step < 0) {
    Say(std::string("cannot fork: ") + std::strerror(errno));
    return 127;
  }
  if (step == 0) {
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);  // an ignored signal would stay ignored across exec
    ::close(command.fence_fd);
    if (command.as_user &&
        (::setgroups(command.groups.size(), command.groups.data()) != 0 ||
         ::setresgid(command.gid, command.gid, command.gid) != 0 ||
         ::setresuid(command.uid, command.uid, command.uid) != 0)) {
      Say(std::string("cannot become the step user: ") + std::strerror(errno));
      ::_exit(127);
    }
    if (!command.direct_path.empty()) ::execve(command.direct_path.c_str(), direct_argv.data(), environ);
    ::execve(command.shell_path.c_str(), shell_argv.data(), environ);
    char cwd[4096];
    Say("cannot run " + command.shell_path + ": " + std::strerror(errno) + " (in " +
        (::getcwd(cwd, sizeof cwd) != nullptr ? cwd : "?") + ")");
    ::_exit(127);
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, step, 0));
  int64_t deadline = 0;  // none until the worker sends one
  bool fence_open = true;
  while (true) {
    int status = 0;
    pid_t ended;
    while ((ended = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (ended != step) continue;  // an orphan it adopted: reaped
      if (pidfd >= 0) ::close(pidfd);
      // Whatever the step left running (a daemon it started, a child in the background)
      // is the guard's child by now, or a child's: with none, nothing of the step is left
      // and /proc need not be read.
      if (HasChildren()) KillEverything(tag);
      if (WIFSIGNALED(status)) {
        *signal_to_raise = WTERMSIG(status);
        return 128 + WTERMSIG(status);
      }
      return WEXITSTATUS(status);
    }
    int64_t now = MonotonicMillis();
    if (deadline > 0 && now >= deadline) {
      KillEverything(tag);
      Say("the worker's lease lapsed (it is frozen or cut off): stopped the step before it runs elsewhere");
      *signal_to_raise = SIGKILL;
      return 137;
    }
    int wait_ms = pidfd >= 0 ? -1 : 20;  // without a pidfd (old kernels), waitpid is polled
    if (deadline > 0) wait_ms = wait_ms < 0 ? static_cast<int>(deadline - now) : std::min<int>(wait_ms, static_cast<int>(deadline - now));
    struct pollfd fds[2];
    nfds_t count = 0;
    if (fence_open) fds[count++] = {command.fence_fd, POLLIN, 0};
    if (pidfd >= 0) fds[count++] = {pidfd, POLLIN, 0};
    if (::poll(fds, count, wait_ms) < 0 && errno != EINTR) continue;
    if (fence_open && fds[0].revents != 0) {
      int64_t value = 0;
      ssize_t got = ::read(command.fence_fd, &value, sizeof value);
      if (got == static_cast<ssize_t>(sizeof value)) {
        deadline = value;
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        // The worker's end closed: it is gone (kill -9 included). So goes the step.
        KillEverything(tag);
        Say("the worker is gone: stopped the step");
        *signal_to_raise = SIGKILL;
        return 137;
      }
    }
  }
}

}  // namespace wsfleet::step_guard
