#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace wsfleet::worker {

// How a worker's steps die with it: each runs under wsfleet-step-guard (step_guard/),
// which holds the read end of a pipe from the worker. When the worker is gone (kill -9
// included) the pipe closes and the guard kills the step and everything it started, also
// what left its process group. (The guard also stops a step past a deadline written to
// the pipe; the worker does not send one yet: see docs/fleet.md.) Thread-safe.
class StepFence {
 public:
  explicit StepFence(std::string guard_path) : guard_path_(std::move(guard_path)) {}
  ~StepFence();
  StepFence(const StepFence&) = delete;
  StepFence& operator=(const StepFence&) = delete;

  const std::string& guard_path() const { return guard_path_; }

  struct Ends {
    int read = -1;   // for the guard (close-on-exec, not fd 3: the spawn moves it there)
    int write = -1;  // kept by the worker until the step ends
  };
  // A pipe for one step's guard; {-1, -1} on failure.
  Ends Open();
  void Close(int write_end);

 private:
  const std::string guard_path_;
  std::mutex mutex_;
  std::set<int> write_ends_;
};

}  // namespace wsfleet::worker
