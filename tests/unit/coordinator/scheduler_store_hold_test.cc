#include "coordinator/holding_state_store.h"
#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

// The scheduler over a store that holds its writes while the disk is full.
class StoreHoldTest : public SchedulerTest {
 protected:
  StoreHoldTest() {
    holding_ = std::make_unique<HoldingStateStore>(*store_, clock_);
    scheduler_ = std::make_unique<Scheduler>(clock_, *holding_, output_, placement_, options_);
  }
  int Acks() const { return output_.Count([](const auto& m) { return m.has_ack(); }); }

  std::unique_ptr<HoldingStateStore> holding_;
};

// A full disk: nothing is acknowledged or assigned that is not stored; heartbeats are
// still answered with the lease (the workers keep their steps); the coordinator says so
// in its status and counters, and goes on by itself once there is space.
TEST_F(StoreHoldTest, AFullDiskHoldsAcksAndAssignmentsUntilThereIsSpace) {
  Submit({Card(1, "None"), Card(2, "WS-01")});
  Hello("w1", 1);
  std::string first = output_.TakeAssigns()[0].second.attempt_id();
  output_.sent.clear();
  store_->SetFull(true);
  Complete("w1", first);
  EXPECT_EQ(Acks(), 0) << "acknowledged events that were not stored";
  EXPECT_TRUE(output_.TakeAssigns().empty()) << "assigned WS-02 before WS-01's end was stored";
  v1::RunStatus status = scheduler_->Status();
  ASSERT_TRUE(status.has_store_held());
  EXPECT_NE(status.store_held().reason().find("full"), std::string::npos) << status.store_held().reason();
  EXPECT_GE(status.store_held().writes(), 1u);
  EXPECT_GE(scheduler_->counters().store_write_failures, 1u);
  EXPECT_GE(scheduler_->counters().store_held_writes, 1u);

  scheduler_->OnHeartbeat("w1", {});
  EXPECT_EQ(output_.Count([](const auto& m) { return m.has_lease(); }), 1) << "the lease waits for nothing";
  // Events arriving meanwhile are not taken in: they stay in the worker's outbox.
  Report("w1", {Metric(first, 3, "late", 1)});
  EXPECT_EQ(Acks(), 0);
  clock_.Advance(1s);  // a retry, still full
  uint64_t failures = scheduler_->counters().store_write_failures;
  EXPECT_GE(failures, 2u);
  EXPECT_TRUE(scheduler_->Status().has_store_held());

  store_->SetFull(false);
  clock_.Advance(1s);
  EXPECT_FALSE(scheduler_->Status().has_store_held());
  EXPECT_GE(Acks(), 1);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(store_->row("WS-01").state, v1::WORKSTREAM_STATE_SUCCEEDED);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-02");
  EXPECT_EQ(scheduler_->counters().store_held_writes, 0u);
}

TEST_F(StoreHoldTest, APlanIsRefusedWhileTheDiskIsFull) {
  store_->SetFull(true);
  auto result = scheduler_->Submit({Card(1, "None")}, "test", false);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(result.status().message().find("full"), std::string::npos) << result.status();
  EXPECT_FALSE(scheduler_->has_plan());
  store_->SetFull(false);
  Submit({Card(1, "None")});
  EXPECT_TRUE(scheduler_->has_plan());
}

}  // namespace
}  // namespace wsfleet::coordinator
