#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "wsfleet/v1/control.pb.h"

namespace wsfleet::cli {

// Where `wsfleet run` hears of its run: the coordinator's loop offers each new status, the
// signal thread wakes it, and the main thread waits for either. Only the newest status is
// kept: the run shows the present. Thread-safe.
class StatusFollower {
 public:
  void Offer(const v1::RunStatus& status);
  void Wake();
  // The newest status offered since the last Take, if any.
  std::optional<v1::RunStatus> Take();
  // Waits for something new (a status or a wake-up) or `deadline`; false at the deadline.
  bool WaitUntil(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<v1::RunStatus> latest_;
  bool news_ = false;
};

}  // namespace wsfleet::cli
