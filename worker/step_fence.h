#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "worker/guard_launcher.h"

namespace wsfleet::worker {

// How a worker's steps die with it and with its lease: each runs under
// wsfleet-step-guard (step_guard/), which holds the read end of a pipe from the worker.
// When the worker is gone (kill -9 included) the pipe closes and the guard kills the step
// and everything it started, also what left its process group. Past the deadline the
// worker last wrote to the pipe (its lease, as the coordinator last renewed it) the guard
// does the same: a worker that is frozen or cut off from its coordinator has its steps
// stopped before the coordinator runs those attempts elsewhere. Without a guard (an empty
// path) the fence keeps the lease alone, for the worker to stop its attempts itself.
// Thread-safe.
class StepFence {
 public:
  explicit StepFence(std::string guard_path) : guard_path_(guard_path), launcher_(std::move(guard_path)) {}
  ~StepFence();
  StepFence(const StepFence&) = delete;
  StepFence& operator=(const StepFence&) = delete;

  const std::string& guard_path() const { return guard_path_; }
  // Starts the guards (with a guard path).
  GuardLauncher& launcher() { return launcher_; }

  struct Ends {
    int read = -1;   // for the guard (close-on-exec, not fd 3: the spawn moves it there)
    int write = -1;  // kept by the worker until the step ends
  };
  // A pipe for one step's guard, the current deadline already in it; {-1, -1} on failure.
  Ends Open();
  void Close(int write_end);
  // No step may run once `left` has passed from now. Sent to every guard (as a
  // CLOCK_MONOTONIC time in milliseconds, which is what they compare with).
  void RenewFor(std::chrono::milliseconds left);
  // A deadline was set and has passed: the lease lapsed.
  bool Lapsed() const;

 private:
  static void Send(int fd, int64_t deadline_ms);

  const std::string guard_path_;
  GuardLauncher launcher_;
  mutable std::mutex mutex_;
  std::set<int> write_ends_;
  int64_t deadline_ms_ = 0;  // none until the first lease
};

}  // namespace wsfleet::worker
