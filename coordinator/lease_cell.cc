#include "coordinator/lease_cell.h"

namespace wsfleet::coordinator {

LeaseCell::LeaseCell(const common::TimeSource& time, common::Nanos lease)
    : time_(time),
      lease_(lease),
      deadline_(Ticks(time.Now() + lease)),
      last_heartbeat_unix_ms_(common::ToUnixMillis(time.WallNow())) {}

bool LeaseCell::Renew(bool heartbeat) {
  int64_t wanted = Ticks(time_.Now() + lease_);
  int64_t deadline = deadline_.load();
  while (deadline != kExpired) {
    if (deadline >= wanted || deadline_.compare_exchange_weak(deadline, wanted)) {
      if (heartbeat) last_heartbeat_unix_ms_.store(common::ToUnixMillis(time_.WallNow()), std::memory_order_relaxed);
      return true;
    }
  }
  return false;
}

bool LeaseCell::ExpireIfDue(common::SteadyTime* look_again) {
  int64_t now = Ticks(time_.Now());
  int64_t deadline = deadline_.load();
  while (deadline != kExpired) {
    if (deadline > now) {
      *look_again = common::SteadyTime(common::SteadyTime::duration(deadline));
      return false;
    }
    if (deadline_.compare_exchange_weak(deadline, kExpired)) return true;
  }
  return true;
}

bool LeaseCell::expired() const { return deadline_.load() == kExpired; }

bool LeaseCell::TellRenewal() {
  int64_t now = Ticks(time_.Now());
  int64_t told = last_told_.load(std::memory_order_relaxed);
  if (told != kExpired && now - told < std::chrono::duration_cast<common::SteadyTime::duration>(lease_ / 5).count()) {
    return false;
  }
  last_told_.store(now, std::memory_order_relaxed);
  return true;
}

}  // namespace wsfleet::coordinator
