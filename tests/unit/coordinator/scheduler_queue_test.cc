// Worker queues: assignments beyond a busy worker's slots, and taking them back.

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

class SchedulerQueueTest : public SchedulerTest {
 protected:
  SchedulerQueueTest() {
    options_.worker_queue = 1;
    options_.revoke_after = std::chrono::seconds(1);
    Restart();
  }

  // WS-01 and WS-02 on one worker with one slot: WS-01 holds the slot, WS-02 is queued.
  struct Pair {
    std::string running, queued;
  };
  Pair OneRunningOneQueued() {
    Submit({Card(1, "None"), Card(2, "None")});
    Hello("w1", 1);
    auto assigns = output_.TakeAssigns();
    EXPECT_EQ(assigns.size(), 2u);
    if (assigns.size() != 2) return {};
    return {assigns[0].second.attempt_id(), assigns[1].second.attempt_id()};
  }

  int Revokes(const std::string& attempt) const {
    return output_.Count([&](const v1::CoordinatorMessage& message) {
      return message.has_revoke() && message.revoke().attempt_id() == attempt;
    });
  }
};

TEST_F(SchedulerQueueTest, ABusyWorkerHoldsOneAssignmentBeyondItsSlots) {
  Submit({Card(1, "None"), Card(2, "None"), Card(3, "None")});
  Hello("w1", 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-01");
  EXPECT_EQ(assigns[1].second.workstream_id(), "WS-02");
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_ASSIGNED);
  EXPECT_EQ(Message("WS-02"), "queued on w1 until one of its slots frees");
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_READY);
  // The first ends: the worker starts the queued one itself and gets the next queued.
  Complete("w1", assigns[0].second.attempt_id());
  Report("w1", {Started(assigns[1].second.attempt_id())});
  auto next = output_.TakeAssigns();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].second.workstream_id(), "WS-03");
  EXPECT_EQ(Message("WS-02"), "");
}

TEST_F(SchedulerQueueTest, FreeSlotsAreFilledBeforeAnyQueue) {
  Submit({Card(1, "None"), Card(2, "None"), Card(3, "None"), Card(4, "None"), Card(5, "None")});
  Hello("w1", 1);
  Hello("w2", 1);
  auto assigns = output_.TakeAssigns();
  std::map<std::string, int> per_worker;
  for (const auto& [worker, spec] : assigns) ++per_worker[worker];
  // w1 took WS-01 and queued WS-02 before w2 joined; w2 took a free slot, then its queue.
  EXPECT_EQ(per_worker, (std::map<std::string, int>{{"w1", 2}, {"w2", 2}}));
  EXPECT_EQ(State("WS-05"), v1::WORKSTREAM_STATE_READY);
}

TEST_F(SchedulerQueueTest, NothingIsQueuedWhileWorkThatNeedsAFreeSlotWaits) {
  Submit({Card(1, "None", "**Priority**: P1\n"), Card(2, "None", "**Priority**: P2\n**GPUs**: 1\n"),
          Card(3, "None", "**Priority**: P3\n")});
  Hello("w1", 1, 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u) << "WS-03 must not queue ahead of the GPU card";
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-01");
  Complete("w1", assigns[0].second.attempt_id());
  assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-02");
  EXPECT_EQ(assigns[1].second.workstream_id(), "WS-03");  // behind it, queued
}

TEST_F(SchedulerQueueTest, NoQueueWhenItIsOff) {
  options_.worker_queue = 0;
  Restart();
  Submit({Card(1, "None"), Card(2, "None")});
  Hello("w1", 1);
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
}

TEST_F(SchedulerQueueTest, AQueuedAttemptIsTakenBackWhenAnotherWorkerStaysFree) {
  auto [running, queued] = OneRunningOneQueued();
  ASSERT_FALSE(queued.empty());
  Report("w1", {Started(running)});
  Hello("w2", 1);
  EXPECT_EQ(output_.TakeAssigns().size(), 0u);  // nothing ready for w2
  EXPECT_EQ(Revokes(queued), 0) << "not before revoke_after";
  clock_.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Revokes(queued), 1);
  clock_.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(Revokes(queued), 1) << "once";
  // The worker had not started it: it comes back and goes to the free worker, and the
  // revoked attempt is not counted as one.
  Report("w1", {Finished(queued, 1, v1::ATTEMPT_OUTCOME_REVOKED, "revoked before it started")});
  auto again = output_.TakeAssigns();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "w2");
  EXPECT_EQ(again[0].second.workstream_id(), "WS-02");
  EXPECT_EQ(again[0].second.attempt_number(), 1u);
  EXPECT_NE(again[0].second.attempt_id(), queued);
  Complete("w2", again[0].second.attempt_id());
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(scheduler_->ViewOf(1).attempt_ids, (std::vector<std::string>{again[0].second.attempt_id()}));
  // A late event of the revoked attempt changes nothing.
  Report("w1", {Started(queued, 2)});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerQueueTest, AFailureThatHaltsTheRunTakesTheQueuesBackAtOnce) {
  Hello("w1", 1);
  Hello("w2", 1);
  Submit({Card(1, "None", "**Priority**: P1\n"), Card(2, "None"), Card(3, "None")});
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 3u);
  ASSERT_EQ(Message("WS-03"), "queued on w1 until one of its slots frees");
  std::string queued = assigns[2].second.attempt_id();
  Report(assigns[0].first, {Started(assigns[0].second.attempt_id()),
                            Finished(assigns[0].second.attempt_id(), 2, v1::ATTEMPT_OUTCOME_FAILED)});
  EXPECT_EQ(Revokes(queued), 1) << "without waiting for revoke_after";
  Report(assigns[2].first, {Finished(queued, 1, v1::ATTEMPT_OUTCOME_REVOKED)});
  EXPECT_EQ(State(assigns[2].second.workstream_id()), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(output_.TakeAssigns().size(), 0u);  // halted: it stays ready
}

TEST_F(SchedulerQueueTest, AQueuedAttemptStaysRevocableAcrossACoordinatorRestart) {
  auto [running, queued] = OneRunningOneQueued();
  ASSERT_FALSE(queued.empty());
  Report("w1", {Started(running)});
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  Hello("w1", 1, 0, {}, {running}, {queued});
  EXPECT_EQ(Message("WS-02"), "queued on w1 until one of its slots frees");
  Hello("w2", 1);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Revokes(queued), 1);
}

TEST_F(SchedulerQueueTest, AnAttemptThatStartedIsNotTakenBack) {
  auto [running, queued] = OneRunningOneQueued();
  Complete("w1", running);
  Report("w1", {Started(queued)});
  Hello("w2", 1);
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(Revokes(queued), 0);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_RUNNING);
}

TEST_F(SchedulerQueueTest, NothingIsTakenBackForAWorkerWithoutTheLabels) {
  Submit({Card(1, "None"), Card(2, "None", "**Labels**: pool=a\n")});
  Hello("w1", 1, 0, {{"pool", "a"}});
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  Report("w1", {Started(assigns[0].second.attempt_id())});
  Hello("w2", 1, 0, {{"pool", "b"}});
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(Revokes(assigns[1].second.attempt_id()), 0);
}

TEST_F(SchedulerQueueTest, ACancelledQueuedAttemptEndsCancelledNotPlacedAgain) {
  std::string queued = OneRunningOneQueued().queued;
  std::string error;
  EXPECT_EQ(scheduler_->Cancel("WS-02", false, &error), 1);
  // The worker may answer a revoke sent just before as well: cancelled wins.
  Report("w1", {Finished(queued, 1, v1::ATTEMPT_OUTCOME_REVOKED, "revoked before it started")});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_CANCELLED);
  EXPECT_EQ(output_.TakeAssigns().size(), 0u);
}

TEST_F(SchedulerQueueTest, ALostWorkersQueuedAttemptIsRetriedElsewhere) {
  OneRunningOneQueued();
  Hello("w2", 1);
  scheduler_->OnWorkerDisconnected("w1");
  clock_.Advance(options_.lease - std::chrono::seconds(1));
  scheduler_->OnHeartbeat("w2", {});
  clock_.Advance(std::chrono::seconds(2));  // w1's lease ends
  scheduler_->OnHeartbeat("w2", {});
  clock_.Advance(options_.backoff_initial * 2);  // lost attempts are retried after a backoff
  std::set<std::string> placed;
  for (const auto& [worker, spec] : output_.TakeAssigns()) {
    EXPECT_EQ(worker, "w2");
    placed.insert(spec.workstream_id());
  }
  EXPECT_EQ(placed.size(), 2u);  // both, running and queued, come back
}

}  // namespace
}  // namespace wsfleet::coordinator
