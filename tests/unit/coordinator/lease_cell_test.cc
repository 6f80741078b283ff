// A worker's lease as its session (renewing it off the loop) and the loop (expiring it)
// share it: on the fake clock, and with real threads racing.

#include "coordinator/lease_cell.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/fake_clock.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

TEST(LeaseCellTest, ARenewalMovesTheDeadlineAndTheLoopLooksAgainThen) {
  testing::FakeClock clock;
  LeaseCell lease(clock, 10s);
  common::SteadyTime look_again;
  clock.Advance(6s);
  EXPECT_FALSE(lease.ExpireIfDue(&look_again));
  EXPECT_EQ(look_again - clock.Now(), 4s);
  ASSERT_TRUE(lease.Renew(/*heartbeat=*/true));
  clock.Advance(4s);
  EXPECT_FALSE(lease.ExpireIfDue(&look_again)) << "renewed at 6 s: it runs to 16 s";
  EXPECT_EQ(look_again - clock.Now(), 6s);
  clock.Advance(6s);
  EXPECT_TRUE(lease.ExpireIfDue(&look_again));
  EXPECT_TRUE(lease.expired());
}

// Heartbeats once a second against a 10 s lease: every other renewal is told, so the lease
// the worker knows of ends at most 2 s before the coordinator's.
TEST(LeaseCellTest, ARenewalIsToldAtMostOnceAFifthOfTheLease) {
  testing::FakeClock clock;
  LeaseCell lease(clock, 10s);
  std::vector<int> told;
  for (int second = 0; second < 7; ++second) {
    ASSERT_TRUE(lease.Renew(/*heartbeat=*/true));
    if (lease.TellRenewal()) told.push_back(second);
    clock.Advance(1s);
  }
  EXPECT_EQ(told, (std::vector<int>{0, 2, 4, 6}));
  clock.Advance(5s);  // a late heartbeat is told at once
  ASSERT_TRUE(lease.Renew(/*heartbeat=*/true));
  EXPECT_TRUE(lease.TellRenewal());
}

TEST(LeaseCellTest, AnExpiredLeaseIsNeverRenewed) {
  testing::FakeClock clock;
  LeaseCell lease(clock, 10s);
  clock.Advance(10s);
  common::SteadyTime look_again;
  ASSERT_TRUE(lease.ExpireIfDue(&look_again));
  int64_t heard = lease.last_heartbeat_unix_ms();
  clock.Advance(1s);
  EXPECT_FALSE(lease.Renew(/*heartbeat=*/true));
  EXPECT_TRUE(lease.expired());
  EXPECT_EQ(lease.last_heartbeat_unix_ms(), heard) << "a refused heartbeat is not the last one heard";
}

TEST(LeaseCellTest, OnlyAHeartbeatIsTheTimeLastHeardFrom) {
  testing::FakeClock clock;
  LeaseCell lease(clock, 10s);
  int64_t joined = lease.last_heartbeat_unix_ms();
  clock.Advance(2s);
  ASSERT_TRUE(lease.Renew(/*heartbeat=*/false));
  EXPECT_EQ(lease.last_heartbeat_unix_ms(), joined);
  ASSERT_TRUE(lease.Renew(/*heartbeat=*/true));
  EXPECT_EQ(lease.last_heartbeat_unix_ms(), joined + 2000);
}

// Sessions renewing on their threads while the loop expires: every renewal that succeeded
// happened before the expiry (its deadline is what the loop saw), and none after.
TEST(LeaseCellTest, RenewalsRacingTheExpiryEitherComeFirstOrFail) {
  for (int round = 0; round < 200; ++round) {
    LeaseCell lease(common::SystemTime(), 0ns);  // due at once: every look may expire it
    std::atomic<bool> expired{false};
    std::atomic<int> renewed_after_expiry{0};
    std::vector<std::thread> sessions;
    for (int i = 0; i < 2; ++i) {
      sessions.emplace_back([&] {
        for (int n = 0; n < 200; ++n) {
          bool was_expired = expired.load();
          if (lease.Renew(true) && was_expired) ++renewed_after_expiry;
        }
      });
    }
    common::SteadyTime look_again;
    while (!lease.ExpireIfDue(&look_again)) {
    }
    expired = true;
    for (std::thread& session : sessions) session.join();
    EXPECT_EQ(renewed_after_expiry.load(), 0);
    EXPECT_TRUE(lease.expired());
  }
}

}  // namespace
}  // namespace wsfleet::coordinator
