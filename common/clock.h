#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace wsfleet::common {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Nanos = std::chrono::nanoseconds;
using TimerId = uint64_t;

// What time it is. Logic never reads the system's clocks itself: it asks its TimeSource,
// so tests can hand it a FakeClock. Any thread may ask the system's (SystemTime()).
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual SteadyTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
};

// The system's clocks, for code that runs on threads of its own (an attempt's runner).
const TimeSource& SystemTime();

// Time and timers for one event loop: logic never sleeps either; a FakeClock's Advance()
// fires what is due. Timer callbacks run on the loop that owns the clock; only that loop's
// thread may call.
class Clock : public TimeSource {
 public:
  // Runs `callback` once `delay` has passed (on the owning loop). Returns an id to cancel.
  virtual TimerId RunAfter(Nanos delay, std::function<void()> callback) = 0;
  virtual void CancelTimer(TimerId id) = 0;
};

int64_t ToUnixMillis(WallTime time);

}  // namespace wsfleet::common
