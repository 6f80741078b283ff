#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

namespace wsfleet::worker {

// Set when the worker is told to stop from outside (SIGTERM from Slurm's scancel or a
// preemption, from Kubernetes, from a person). The same hand may signal the steps too:
// Slurm signals every process of the job. A step killed by such a signal then is no failure
// of its card: its attempt is handed back and runs again elsewhere. Thread-safe.
class StopNotice {
 public:
  void Set(const std::string& why);  // the first reason stands
  // The reason, waiting up to `limit` for one: a step's death by the signal can reach its
  // attempt before the worker's own signal reaches the worker.
  std::optional<std::string> WaitFor(std::chrono::milliseconds limit) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable set_;
  std::optional<std::string> why_;
};

}  // namespace wsfleet::worker
