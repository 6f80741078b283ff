#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "wsfleet/v1/control.pb.h"

// Each plan's newest status, handed from the coordinator's thread to the page's live
// streams. Only the newest is kept: a stream wants the present, not every step between.
// Thread-safe.
namespace wsfleet::ui {

class LiveFeed {
 public:
  // The scheduler's thread, at each change.
  void Publish(const v1::RunStatus& status);
  // Blocks until `plan_id` has a status newer than the one `*seen` counts (then updates
  // `*seen` and returns it), `until` passes or Stop() is called (then null).
  std::shared_ptr<const v1::RunStatus> WaitNewer(const std::string& plan_id, uint64_t* seen,
                                                 std::chrono::steady_clock::time_point until);
  // Waits until `until`, or less if Stop() is called: false then.
  bool PauseUntil(std::chrono::steady_clock::time_point until);
  // Wakes every waiter for good: the server is stopping.
  void Stop();
  bool stopped() const;

 private:
  struct Latest {
    uint64_t count = 0;  // how many were published
    std::shared_ptr<const v1::RunStatus> status;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, Latest> plans_;
  bool stopped_ = false;
};

}  // namespace wsfleet::ui
