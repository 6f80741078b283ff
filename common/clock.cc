#include "common/clock.h"

namespace wsfleet::common {

namespace {

class SystemTimeSource : public TimeSource {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

}  // namespace

const TimeSource& SystemTime() {
  static const SystemTimeSource system;
  return system;
}

int64_t ToUnixMillis(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace wsfleet::common
