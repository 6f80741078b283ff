#pragma once

#include "common/clock.h"
#include "common/timer_queue.h"

namespace wsfleet::testing {

// A Clock for tests: time stands still until Advance(), which fires every timer that
// falls due, in deadline order, on the calling thread.
class FakeClock : public common::Clock {
 public:
  common::SteadyTime Now() const override { return now_; }
  common::WallTime WallNow() const override { return wall_start_ + (now_ - start_); }
  common::TimerId RunAfter(common::Nanos delay, std::function<void()> callback) override {
    return timers_.Add(now_ + delay, std::move(callback));
  }
  void CancelTimer(common::TimerId id) override { timers_.Cancel(id); }

  void Advance(common::Nanos by) {
    common::SteadyTime target = now_ + by;
    while (std::optional<common::SteadyTime> next = timers_.NextDeadline()) {
      if (*next > target) break;
      now_ = std::max(now_, *next);
      if (auto due = timers_.PopDue(now_)) (*due)();
    }
    now_ = target;
  }
  size_t pending_timers() const { return timers_.size(); }

 private:
  common::SteadyTime start_{std::chrono::hours(1000)};
  common::SteadyTime now_ = start_;
  common::WallTime wall_start_{std::chrono::seconds(1'800'000'000)};  // 2027-01-15
  common::TimerQueue timers_;
};

}  // namespace wsfleet::testing
