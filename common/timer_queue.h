#pragma once

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "common/clock.h"

namespace wsfleet::common {

// Timers ordered by deadline (then by creation), shared by the real event loop and the
// fake clock. Not thread-safe: its owner's thread only.
class TimerQueue {
 public:
  TimerId Add(SteadyTime deadline, std::function<void()> callback);
  void Cancel(TimerId id);

  std::optional<SteadyTime> NextDeadline() const;
  // Removes and returns the earliest timer due at or before `now`, if any.
  std::optional<std::function<void()>> PopDue(SteadyTime now);
  size_t size() const { return timers_.size(); }

 private:
  std::map<std::pair<SteadyTime, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, SteadyTime> deadlines_;
  TimerId next_id_ = 1;
};

}  // namespace wsfleet::common
