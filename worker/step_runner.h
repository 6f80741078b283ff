#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "worker/direct_command.h"
#include "worker/step_fence.h"
#include "worker/step_user.h"

namespace wsfleet::worker {

enum class OutputStream { kStdout, kStderr };

// Receives a step's output as it arrives, on the thread that runs the step.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void OnOutput(OutputStream stream, std::string_view data) = 0;
};

struct StepLaunch {
  std::vector<std::string> argv;  // argv[0] is a path
  // The same command without its shell (see direct_command.h), tried first; when the
  // kernel will not run it, argv runs instead and reports the error as the shell does.
  std::optional<DirectCommand> direct;
  std::string workdir;
  std::vector<std::string> env;   // the complete environment, "KEY=value"
  common::Nanos timeout{0};       // 0: no limit
  common::Nanos hang_timeout{0};  // no output for this long: hung, ended as on timeout; 0: none
  common::Nanos kill_grace = std::chrono::seconds(5);  // SIGTERM, then SIGKILL after this
  // Run as this user (a root worker's --step-user), with its HOME, USER and LOGNAME.
  std::optional<StepUser> user;
  // Run under the fence's guard: the step dies with the worker and with its lease.
  StepFence* fence = nullptr;
};

struct StepResult {
  bool started = false;
  std::string error;     // why it could not start
  int exit_code = -1;    // -1 when a signal ended it
  int signal = 0;
  bool timed_out = false;
  bool hung = false;     // ended for printing nothing for its hang timeout (timed_out too)
  bool cancelled = false;
  common::Nanos duration{0};

  bool succeeded() const { return started && exit_code == 0 && !timed_out && !cancelled; }
  std::string Describe() const;  // "exit 0", "killed by SIGKILL after timeout", ...
};

// Runs one step as the leader of its own process group, stdin from /dev/null, stdout and
// stderr through pipes. On timeout or Cancel() the whole group gets SIGTERM, then SIGKILL
// after the grace period; when the leader exits, whatever it left in its group is killed.
// Run() blocks its thread; Cancel() may be called from any thread.
class StepRunner {
 public:
  StepRunner();
  ~StepRunner();
  StepRunner(const StepRunner&) = delete;
  StepRunner& operator=(const StepRunner&) = delete;

  StepResult Run(const StepLaunch& launch, OutputSink& sink);
  void Cancel();
  // The running step's process ID (its process group's); 0 before it starts. Any thread.
  int pid() const { return pid_; }

 private:
  std::atomic<int> pid_{0};
  int cancel_fd_ = -1;  // eventfd: wakes Run() from another thread
  std::atomic<bool> cancelled_{false};
};

}  // namespace wsfleet::worker
