#include "worker/process_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <set>

namespace wsfleet::worker {
namespace {

// Reads /proc/PID/environ whole (it is NUL-separated); false if it cannot be read.
bool ReadEnvironment(pid_t pid, std::string& out) {
  std::string path = "/proc/" + std::to_string(pid) + "/environ";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buffer[8192];
  while (true) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return true;
}

bool HoldsEntry(const std::string& environment, const std::string& entry) {
  size_t at = 0;
  while ((at = environment.find(entry, at)) != std::string::npos) {
    bool starts = at == 0 || environment[at - 1] == '\0';
    size_t end = at + entry.size();
    bool ends = end == environment.size() || environment[end] == '\0';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

}  // namespace

std::string NewStepTag() {
  static std::atomic<uint64_t> counter{0};
  return "WSFLEET_STEP_TAG=" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::vector<pid_t> ProcessesWithEnvironment(const std::string& entry) {
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  pid_t self = ::getpid();
  std::string environment;
  while (dirent* item = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(item->d_name, &end, 10);
    if (end == item->d_name || *end != '\0' || pid <= 0 || pid == self) continue;
    if (ReadEnvironment(static_cast<pid_t>(pid), environment) && HoldsEntry(environment, entry)) {
      found.push_back(static_cast<pid_t>(pid));
    }
  }
  ::closedir(proc);
  return found;
}

size_t SignalProcessesWithEnvironment(const std::string& entry, int signal, int rounds) {
  std::set<pid_t> signalled;
  for (int round = 0; round < rounds; ++round) {
    bool any = false;
    for (pid_t pid : ProcessesWithEnvironment(entry)) {
      // A process signalled already and still there is a zombie or is handling SIGTERM.
      if (!signalled.insert(pid).second && signal != SIGKILL) continue;
      if (::kill(pid, signal) == 0) any = true;
    }
    if (!any) break;
  }
  return signalled.size();
}

}  // namespace wsfleet::worker
