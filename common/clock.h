#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace wsfleet::common {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Nanos = std::chrono::nanoseconds;
using TimerId = uint64_t;

// Time and timers for one event loop. Logic never reads the wall clock or sleeps: it asks
// its Clock, so tests can replace it with a FakeClock whose Advance() fires what is due.
// Timer callbacks run on the loop that owns the clock; only that loop's thread may call.
class Clock {
 public:
  virtual ~Clock() = default;

  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  // Runs `callback` once `delay` has passed (on the owning loop). Returns an id to cancel.
  virtual TimerId RunAfter(Nanos delay, std::function<void()> callback) = 0;
  virtual void CancelTimer(TimerId id) = 0;
};

int64_t ToUnixMillis(WallTime time);

}  // namespace wsfleet::common
