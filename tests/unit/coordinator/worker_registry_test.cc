// The worker registry alone on a fake clock: leases renewed by any sign of life, lost when
// none comes, and what a lost worker must do to come back.

#include "coordinator/worker_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "coordinator/placement_policy.h"
#include "tests/support/fake_clock.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

class WorkerRegistryTest : public ::testing::Test {
 protected:
  static v1::Hello Hello(const std::string& id, uint32_t slots, uint32_t gpus = 0) {
    v1::Hello hello;
    hello.set_worker_id(id);
    hello.set_hostname(id + ".local");
    hello.mutable_resources()->set_slots(slots);
    for (uint32_t i = 0; i < gpus; ++i) hello.mutable_resources()->add_gpus()->set_index(i);
    return hello;
  }

  testing::FakeClock clock_;
  std::vector<std::string> expired_;
  WorkerRegistry registry_{clock_, 10s, [this](WorkerView& worker) { expired_.push_back(worker.id); }};
};

TEST_F(WorkerRegistryTest, AWorkerIsLostALeaseAfterItLastSaidAnything) {
  registry_.Join(Hello("w1", 2), /*writes_logs=*/false);
  clock_.Advance(9s);
  registry_.Alive("w1", /*heartbeat=*/false);  // events count as much as heartbeats
  clock_.Advance(9s);
  EXPECT_TRUE(expired_.empty());
  clock_.Advance(1s);
  ASSERT_EQ(expired_, std::vector<std::string>{"w1"});
  const WorkerView* worker = registry_.cluster().Find("w1");
  EXPECT_TRUE(worker->lost);
  EXPECT_FALSE(worker->connected);
  EXPECT_FALSE(registry_.AnyAlive());
  EXPECT_EQ(registry_.List().workers(0).state(), "lost");
}

TEST_F(WorkerRegistryTest, ALostWorkerComesBackOnlyThroughHello) {
  registry_.Join(Hello("w1", 2), false);
  clock_.Advance(10s);
  registry_.Alive("w1", true);
  EXPECT_TRUE(registry_.cluster().Find("w1")->lost) << "a heartbeat does not revive it";
  EXPECT_EQ(clock_.pending_timers(), 0u);
  registry_.Join(Hello("w1", 4, 2), false);
  const WorkerView* worker = registry_.cluster().Find("w1");
  EXPECT_FALSE(worker->lost);
  EXPECT_TRUE(worker->Accepting());
  EXPECT_EQ(worker->slots, 4u);
  EXPECT_EQ(worker->gpu_indices.size(), 2u);
}

// What a session renews off the loop (a heartbeat answered on gRPC's thread) keeps the
// worker as a heartbeat through the loop does; the loop's timer finds the renewed deadline.
TEST_F(WorkerRegistryTest, ALeaseItsSessionRenewsKeepsTheWorkerWithOneTimerAtATime) {
  registry_.Join(Hello("w1", 2), false);
  std::shared_ptr<LeaseCell> lease = registry_.LeaseOf("w1");
  ASSERT_NE(lease, nullptr);
  for (int second = 0; second < 30; ++second) {
    clock_.Advance(1s);
    ASSERT_TRUE(lease->Renew(/*heartbeat=*/true));
    EXPECT_LE(clock_.pending_timers(), 1u);
  }
  EXPECT_TRUE(expired_.empty());
  EXPECT_EQ(registry_.List().workers(0).last_heartbeat_unix_ms(), common::ToUnixMillis(clock_.WallNow()));
  clock_.Advance(10s);
  ASSERT_EQ(expired_, std::vector<std::string>{"w1"});
  EXPECT_FALSE(lease->Renew(true)) << "the loop expired it: its session must send it to the loop";
  EXPECT_EQ(registry_.LeaseOf("w1"), nullptr);
  registry_.Join(Hello("w1", 2), false);
  ASSERT_NE(registry_.LeaseOf("w1"), nullptr);
  EXPECT_NE(registry_.LeaseOf("w1"), lease) << "a new session, a new lease";
  EXPECT_TRUE(registry_.LeaseOf("w1")->Renew(true));
}

TEST_F(WorkerRegistryTest, ADisconnectedWorkerKeepsItsLeaseAndADrainedOneTakesNoWork) {
  registry_.Join(Hello("w1", 2), false);
  registry_.Disconnected("w1");
  EXPECT_EQ(registry_.List().workers(0).state(), "disconnected");
  registry_.Join(Hello("w1", 2), false);
  ASSERT_TRUE(registry_.Drain("w1").ok());
  EXPECT_FALSE(registry_.cluster().Find("w1")->Accepting());
  EXPECT_EQ(registry_.List().workers(0).state(), "draining");
  EXPECT_EQ(registry_.Drain("nobody").code(), absl::StatusCode::kNotFound);
}

TEST_F(WorkerRegistryTest, AWorkerExpectedAfterARestartGetsOneLeaseToComeBack) {
  registry_.Expect("w9");
  registry_.Expect("w9");  // a second attempt on it: still one lease
  EXPECT_EQ(clock_.pending_timers(), 1u);
  clock_.Advance(10s);
  EXPECT_EQ(expired_, std::vector<std::string>{"w9"});
}

TEST_F(WorkerRegistryTest, ItsTimersGoWithIt) {
  {
    WorkerRegistry scoped(clock_, 10s, [](WorkerView&) { FAIL() << "fired after it was gone"; });
    scoped.Join(Hello("w1", 1), false);
  }
  EXPECT_EQ(clock_.pending_timers(), 0u);
  clock_.Advance(20s);
}

TEST_F(WorkerRegistryTest, AGangIsPlacedOnDistinctWorkersOrNotAtAll) {
  registry_.Join(Hello("w1", 1, 2), false);
  registry_.Join(Hello("w2", 1, 2), false);
  registry_.Join(Hello("w3", 1, 1), false);
  SpreadPlacement placement;
  PlacementRequest request{2, {}, {}, {}, 0, {}, {}, {}, {}};
  auto gang = placement.PlaceGang(request, 2, registry_.cluster());
  ASSERT_TRUE(gang.has_value());
  ASSERT_EQ(gang->size(), 2u);
  EXPECT_NE((*gang)[0].worker_id, (*gang)[1].worker_id);
  EXPECT_EQ((*gang)[0].gpu_indices.size(), 2u);
  EXPECT_FALSE(placement.PlaceGang(request, 3, registry_.cluster()).has_value())
      << "w3 has one GPU: three nodes with two each cannot be had";
}

TEST_F(WorkerRegistryTest, AGangOfALauncherGoesToTheWorkersOfOneJob) {
  auto joined = [&](const std::string& id, const std::string& job) {
    v1::Hello hello = Hello(id, 1, 1);
    if (!job.empty()) (*hello.mutable_resources()->mutable_labels())["slurm.job_id"] = job;
    registry_.Join(hello, false);
  };
  joined("a1", "7");  // job 7 has one node free...
  joined("b1", "8");
  joined("b2", "8");  // ...job 8 two
  joined("s1", "");   // a worker started by hand
  SpreadPlacement placement;
  PlacementRequest request{1, {}, {}, {}, 0, {}, {}, {}, {}};
  request.same_label = "slurm.job_id";
  auto gang = placement.PlaceGang(request, 2, registry_.cluster());
  ASSERT_TRUE(gang.has_value());
  std::set<std::string> workers = {(*gang)[0].worker_id, (*gang)[1].worker_id};
  EXPECT_EQ(workers, (std::set<std::string>{"b1", "b2"})) << "never a rank from job 7 or the static worker";
  joined("s2", "");
  registry_.cluster().Find("b2")->draining = true;
  gang = placement.PlaceGang(request, 2, registry_.cluster());
  ASSERT_TRUE(gang.has_value()) << "the workers started by hand are a group of their own";
  workers = {(*gang)[0].worker_id, (*gang)[1].worker_id};
  EXPECT_EQ(workers, (std::set<std::string>{"s1", "s2"}));
  registry_.cluster().Find("s2")->draining = true;
  EXPECT_FALSE(placement.PlaceGang(request, 2, registry_.cluster()).has_value())
      << "two free workers of different groups do not make a gang";
}

}  // namespace
}  // namespace wsfleet::coordinator
