#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/child_process.h"

namespace wsfleet::testing {

// A real child process for integration and fault tests; killed (SIGKILL) if still running
// when destroyed. Output goes to a file.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& output_path) {
    absl::StatusOr<pid_t> pid = common::SpawnWithOutputTo(argv, output_path);
    pid_ = pid.ok() ? *pid : -1;
  }
  ~Process() { Kill(SIGKILL); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// Polls `condition` every 50 ms until it holds or `timeout` passes.
template <typename Condition>
bool WaitFor(std::chrono::milliseconds timeout, Condition condition) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace wsfleet::testing
