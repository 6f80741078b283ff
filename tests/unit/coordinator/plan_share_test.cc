#include "coordinator/plan_share.h"

#include <gtest/gtest.h>

#include <queue>
#include <random>
#include <tuple>
#include <vector>

#include "tests/support/fake_clock.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

TEST(PlanShareTest, WhatItHoldsIsIntegratedOverTimeAndReleasedOnce) {
  testing::FakeClock clock;
  PlanShare share(clock, {});
  share.Hold("a1", "w1", 2);
  share.Hold("a1", "w1", 2);  // again (a returning worker): held once
  clock.Advance(10s);
  share.Hold("a2", "w2", 0);
  clock.Advance(5s);
  EXPECT_EQ(share.slots(), 2u);
  EXPECT_EQ(share.gpus(), 2u);
  EXPECT_EQ(share.workers(), 2u);
  EXPECT_DOUBLE_EQ(share.slot_seconds(), 10 * 1 + 5 * 2);
  EXPECT_DOUBLE_EQ(share.gpu_seconds(), 15 * 2);
  share.Release("a1");
  share.Release("a1");  // lost, then its late end: released once
  clock.Advance(4s);
  EXPECT_EQ(share.slots(), 1u);
  EXPECT_EQ(share.gpus(), 0u);
  EXPECT_FALSE(share.HoldsWorker("w1"));
  EXPECT_TRUE(share.HoldsWorker("w2"));
  EXPECT_DOUBLE_EQ(share.slot_seconds(), 20 + 4);
  EXPECT_DOUBLE_EQ(share.gpu_seconds(), 30);
}

TEST(PlanShareTest, QuotasSayWhatTheyStop) {
  testing::FakeClock clock;
  PlanShare share(clock, {1, 4, 2});
  share.Hold("a1", "w1", 3);
  EXPECT_EQ(share.OverQuota(1, 0), std::nullopt);
  EXPECT_EQ(share.OverQuota(2, 0), "the plan holds 3 of its 4 GPUs (--max-gpus)");
  EXPECT_EQ(share.OverQuota(0, 1), std::nullopt);
  share.Hold("a2", "w2", 0);
  EXPECT_EQ(share.OverQuota(0, 1), "the plan is on 2 of its 2 workers (--max-workers)");
  EXPECT_EQ(share.OverQuota(0, 0), std::nullopt) << "more on the workers it holds is fine";
  EXPECT_EQ(share.BeyondQuota(2, 3), "needs 6 GPUs; its plan may hold 4 (--max-gpus)");
  EXPECT_EQ(share.BeyondQuota(0, 3), "needs 3 workers at once; its plan may use 2 (--max-workers)");
  EXPECT_EQ(share.BeyondQuota(2, 2), std::nullopt);
}

TEST(FairShareTest, TheNextPlacementGoesToThePlanFurthestBelowItsShare) {
  FleetSize fleet{12, 8};
  // Dominant shares over weights: 2/12 / 1, 6/12 / 2, and 4 GPUs of 8 / 3.
  std::vector<ShareStanding> plans = {{1, 2, 0, 0}, {2, 6, 0, 0}, {3, 1, 4, 0}};
  EXPECT_EQ(NextByShare(plans, fleet), 0u);  // 1/6 vs 1/4 vs 1/2 / 3 = 1/6: a tie, held alike: the older
  plans[2].slot_seconds = 100;  // ties are broken by what each held over time per weight
  plans[0].slot_seconds = 60;
  EXPECT_EQ(NextByShare(plans, fleet), 2u) << "100/3 < 60/1";
  plans[0].slot_seconds = 30;
  EXPECT_EQ(NextByShare(plans, fleet), 0u);
  EXPECT_DOUBLE_EQ(DominantShare({1, 3, 6, 0}, fleet), 0.75);
  EXPECT_DOUBLE_EQ(DominantShare({1, 3, 0, 0}, {12, 0}), 0.25) << "a fleet without GPUs";
}

// Three plans with shares 1, 2 and 3, each always with work, on 12 slots: every time a slot
// frees the next plan by share takes it. Over an hour of work of mixed lengths (1-20 s),
// the slot-seconds they held stand in the ratio of their shares.
TEST(FairShareTest, OverTimeEachPlanHoldsSlotsInProportionToItsShare) {
  testing::FakeClock clock;
  std::vector<double> weights = {1, 2, 3};
  std::vector<std::unique_ptr<PlanShare>> shares;
  for (double weight : weights) shares.push_back(std::make_unique<PlanShare>(clock, PlanLimits{weight, 0, 0}));
  FleetSize fleet{12, 0};
  std::mt19937 random(42);
  std::uniform_int_distribution<int> seconds(1, 20);
  // (end, plan, attempt) of what runs, soonest first.
  using Running = std::tuple<common::SteadyTime, size_t, std::string>;
  std::priority_queue<Running, std::vector<Running>, std::greater<>> running;
  int next_attempt = 0;
  auto place = [&] {
    std::vector<ShareStanding> standings;
    for (const auto& share : shares) {
      standings.push_back({share->limits().share, share->slots(), share->gpus(), share->slot_seconds()});
    }
    size_t plan = NextByShare(standings, fleet);
    std::string attempt = "a" + std::to_string(++next_attempt);
    shares[plan]->Hold(attempt, "w" + std::to_string(next_attempt % 3), 0);
    running.emplace(clock.Now() + std::chrono::seconds(seconds(random)), plan, attempt);
  };
  for (uint32_t slot = 0; slot < fleet.slots; ++slot) place();
  common::SteadyTime end = clock.Now() + 1h;
  while (clock.Now() < end) {
    auto [when, plan, attempt] = running.top();
    running.pop();
    clock.Advance(when - clock.Now());
    shares[plan]->Release(attempt);
    place();
  }
  double one = shares[0]->slot_seconds();
  EXPECT_NEAR(shares[1]->slot_seconds() / one, 2.0, 0.2);
  EXPECT_NEAR(shares[2]->slot_seconds() / one, 3.0, 0.3);
  double all = one + shares[1]->slot_seconds() + shares[2]->slot_seconds();
  EXPECT_NEAR(all, 12 * 3600, 12 * 20) << "the fleet stayed full";
}

}  // namespace
}  // namespace wsfleet::coordinator
