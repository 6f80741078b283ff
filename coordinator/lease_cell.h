#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "common/clock.h"

namespace wsfleet::coordinator {

// One worker's lease, shared by the loop and the worker's session: the session renews it
// on each heartbeat on gRPC's thread and answers at once, without waking the loop (5,000
// workers heartbeating once a second cost 0.41 core through the loop, 0.33 without it;
// docs/benchmarks.md); the loop renews it on events and is the only one to expire it.
// Renewing and expiring are each one compare-and-swap on the deadline, so a heartbeat
// either renews a lease before it expires (and the worker hears so) or finds it expired
// (and the loop answers it with Rejoin): never a renewal the loop does not see. Thread-safe.
class LeaseCell {
 public:
  LeaseCell(const common::TimeSource& time, common::Nanos lease);

  // A lease from now, unless it has expired; false then (the worker must say Hello again).
  // Also the time it was last heard from, with `heartbeat`.
  bool Renew(bool heartbeat);
  // Loop thread: expires the lease if its deadline has passed (true), else says when to
  // look again. True also when it had expired already.
  bool ExpireIfDue(common::SteadyTime* look_again);
  bool expired() const;
  // Session thread, after a heartbeat renewed the lease: whether to tell the worker. At most
  // once a fifth of the lease: a worker's steps run to the end of the last lease it was told
  // of, which so ends at most that much before the coordinator's (never after), and at one
  // heartbeat a second half of them go unanswered (gRPC's work per message is most of an
  // idle coordinator's CPU at thousands of workers).
  bool TellRenewal();
  int64_t last_heartbeat_unix_ms() const { return last_heartbeat_unix_ms_.load(std::memory_order_relaxed); }
  common::Nanos lease() const { return lease_; }

 private:
  static constexpr int64_t kExpired = INT64_MIN;
  static int64_t Ticks(common::SteadyTime time) { return time.time_since_epoch().count(); }

  const common::TimeSource& time_;
  const common::Nanos lease_;
  std::atomic<int64_t> deadline_;  // steady-clock ticks; kExpired once expired
  std::atomic<int64_t> last_heartbeat_unix_ms_;
  std::atomic<int64_t> last_told_{kExpired};  // steady-clock ticks; none yet
};

}  // namespace wsfleet::coordinator
