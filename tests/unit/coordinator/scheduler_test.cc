#include <algorithm>

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

TEST_F(SchedulerTest, WaitsForAWorkerThenAssignsReadyWork) {
  Submit({Card(1, "None"), Card(2, "WS-01")});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_PENDING);
  EXPECT_EQ(Message("WS-01"), "waiting for a worker to join");
  Hello("w1", 4);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].first, "w1");
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-01");
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_ASSIGNED);
  Report("w1", {Started(assigns[0].second.attempt_id())});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_RUNNING);
}

TEST_F(SchedulerTest, DependentsStartWhenDependenciesSucceed) {
  Submit({Card(1, "None"), Card(2, "WS-01"), Card(3, "WS-01, WS-02")});
  Hello("w1", 4);
  auto first = output_.TakeAssigns();
  ASSERT_EQ(first.size(), 1u);
  Complete("w1", first[0].second.attempt_id());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  auto second = output_.TakeAssigns();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].second.workstream_id(), "WS-02");
  Complete("w1", second[0].second.attempt_id());
  auto third = output_.TakeAssigns();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].second.workstream_id(), "WS-03");
  Complete("w1", third[0].second.attempt_id());
  EXPECT_TRUE(scheduler_->Done());
  EXPECT_TRUE(scheduler_->Status().succeeded());
}

TEST_F(SchedulerTest, TheCardsTimeoutsTravelWithTheAssign) {
  Submit({Card(1, "None", "**Timeout**: 2h\n**Hang timeout**: 10m\n"), Card(2, "None")});
  Hello("w1", 2);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  for (const auto& [worker, spec] : assigns) {
    bool first = spec.workstream_id() == "WS-01";
    EXPECT_EQ(spec.timeout_seconds(), first ? 7200 : 0) << spec.workstream_id();
    EXPECT_EQ(spec.hang_timeout_seconds(), first ? 600 : 0) << spec.workstream_id();
  }
}

TEST_F(SchedulerTest, OrderIsPriorityThenRemainingCriticalPathThenId) {
  Submit({Card(1, "None", "**Priority**: P2\n"),
          Card(2, "None", "**Priority**: P1\n"),
          Card(3, "None", "**Priority**: P1\n"),      // same priority, longer chain below it
          Card(4, "WS-03", "**Priority**: P1\n"),
          Card(5, "None")});                          // no priority: last
  Hello("w1", 1);
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) {
    auto assigns = output_.TakeAssigns();
    ASSERT_EQ(assigns.size(), 1u) << "step " << i;
    order.push_back(assigns[0].second.workstream_id());
    Complete("w1", assigns[0].second.attempt_id());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"WS-03", "WS-02", "WS-04", "WS-01", "WS-05"}));
}

TEST_F(SchedulerTest, CompletedCardsAreSkipped) {
  Submit({Card(1, "None", "**Status**: ✅ COMPLETE\n"), Card(2, "WS-01")});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SKIPPED);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_READY);
}

TEST_F(SchedulerTest, PlacementHonoursGpusAndLabels) {
  Submit({Card(1, "None", "**GPUs**: 2\n"), Card(2, "None", "**Labels**: gpu.product=GB10\n"),
          Card(3, "None", "**GPUs**: 1\n")});
  Hello("cpu", 4);
  Hello("gb10", 4, 2, {{"gpu.product", "GB10"}});
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  std::map<std::string, std::pair<std::string, std::vector<uint32_t>>> placed;
  for (const auto& [worker, spec] : assigns) {
    placed[spec.workstream_id()] = {worker, {spec.gpu_indices().begin(), spec.gpu_indices().end()}};
  }
  EXPECT_EQ(placed["WS-01"].first, "gb10");
  EXPECT_EQ(placed["WS-01"].second, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(placed["WS-02"].first, "gb10");
  // WS-03 needs a GPU and both are taken: it waits rather than going to the CPU worker.
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_READY);
  for (const auto& [worker, spec] : assigns) {
    if (spec.workstream_id() == "WS-01") Complete(worker, spec.attempt_id());
  }
  auto next = output_.TakeAssigns();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].second.workstream_id(), "WS-03");
  EXPECT_EQ(next[0].second.gpu_indices_size(), 1);
}

TEST_F(SchedulerTest, InfeasibleRequestsFailAtSubmitWithAReason) {
  Hello("w1", 2, 2);
  Submit({Card(1, "None", "**GPUs**: 4\n"), Card(2, "WS-01"), Card(3, "None", "**Labels**: zone=moon\n")},
         /*keep_going=*/true);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "cannot be placed: needs 4 GPUs; the largest matching worker has 2");
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_BLOCKED);
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-03"), "cannot be placed: no worker has the labels zone=moon");
  EXPECT_TRUE(scheduler_->Done());
}

TEST_F(SchedulerTest, InfeasibleWorkWaitsForWorkersToJoinThenFails) {
  Submit({Card(1, "None", "**GPUs**: 4\n"), Card(2, "None", "**GPUs**: 8\n")}, true);
  Hello("small", 1, 2);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(Message("WS-01"), "no worker can run it yet: needs 4 GPUs; the largest matching worker has 2");
  clock_.Advance(9s);
  scheduler_->OnHeartbeat("small", {});
  Hello("big", 1, 4);
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);  // WS-01 on the big worker
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(5s);
    scheduler_->OnHeartbeat("small", {});
    scheduler_->OnHeartbeat("big", {});
  }
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-02"), "cannot be placed: needs 8 GPUs; the largest matching worker has 4");
}

TEST_F(SchedulerTest, AcksFollowTheCommitAndDuplicatesAreStoredOnce) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  output_.sent.clear();
  int commits = store_->commits();
  Report("w1", {Started(attempt, 1), Metric(attempt, 2, "x", 1)});
  EXPECT_EQ(store_->commits(), commits + 1);  // one transaction for the batch
  EXPECT_EQ(store_->stored_events(), 2u);
  ASSERT_EQ(output_.Count([](const auto& m) { return m.has_ack(); }), 1);
  EXPECT_EQ(output_.sent.back().second.ack().seq(), 2u);
  // The worker did not see the ack and sends everything again, plus one new event.
  Report("w1", {Started(attempt, 1), Metric(attempt, 2, "x", 1), Metric(attempt, 3, "y", 2)});
  EXPECT_EQ(store_->stored_events(), 3u);
  EXPECT_EQ(scheduler_->counters().events_duplicate, 2u);
  EXPECT_EQ(output_.sent.back().second.ack().seq(), 3u);
}

// A lost worker's attempts are placed elsewhere as soon as its lease expires: losing a
// worker is not the workstream's fault, so no backoff (it was re-placed lease + 1 s ± 20%
// after the kill). An attempt that waited in its queue, never started, is not counted lost.
TEST_F(SchedulerTest, LostWorkerAttemptsAreRetriedElsewhereAtOnce) {
  options_.worker_queue = 1;
  Restart();
  Submit({Card(1, "None"), Card(2, "None")});
  Hello("w1", 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u) << "one runs, one waits in w1's queue";
  std::string first = assigns[0].second.attempt_id();
  Report("w1", {Started(first)});
  Hello("w2", 2);
  EXPECT_TRUE(output_.TakeAssigns().empty());
  // w2 keeps its lease, w1 goes silent.
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(2s);
    scheduler_->OnHeartbeat("w2", {});
  }
  EXPECT_EQ(scheduler_->counters().leases_expired, 1u);
  auto queued = output_.TakeAssigns();
  ASSERT_EQ(queued.size(), 1u) << "the queued one, which never started, at once";
  clock_.Advance(500ms);  // the fence margin: w1's guards have stopped its steps
  auto retry = output_.TakeAssigns();
  ASSERT_EQ(retry.size(), 1u) << "the lost one, without a backoff";
  retry.push_back(queued[0]);
  for (const auto& [worker, spec] : retry) {
    EXPECT_EQ(worker, "w2");
    EXPECT_EQ(spec.attempt_number(), 2u);
    EXPECT_NE(spec.attempt_id(), first);
  }
  Complete("w2", retry[0].second.attempt_id());
  Complete("w2", retry[1].second.attempt_id());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(store_->row("WS-01").lost_retries_left, options_.default_lost_retries - 1);
  EXPECT_EQ(store_->row("WS-02").lost_retries_left, options_.default_lost_retries) << "it never started";
}

// A heartbeat in good standing is answered with the lease, counted from when the worker
// sent it (its own clock, echoed); one from a worker already declared lost is answered
// with Rejoin, never ignored.
TEST_F(SchedulerTest, HeartbeatsAreAnsweredWithTheLeaseOrWithRejoin) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  Hello("w2", 1);
  output_.sent.clear();
  v1::Heartbeat beat;
  beat.set_sent_ms(123456);
  scheduler_->OnHeartbeat("w1", beat);
  ASSERT_EQ(output_.Count([](const auto& m) { return m.has_lease(); }), 1);
  EXPECT_EQ(output_.sent.back().first, "w1");
  EXPECT_EQ(output_.sent.back().second.lease().heartbeat_sent_ms(), 123456);
  EXPECT_EQ(output_.sent.back().second.lease().lease_ms(), 10000);
  for (int i = 0; i < 6; ++i) {  // w1 goes silent past its lease
    clock_.Advance(2s);
    scheduler_->OnHeartbeat("w2", {});
  }
  output_.sent.clear();
  scheduler_->OnHeartbeat("w1", beat);
  ASSERT_EQ(output_.Count([](const auto& m) { return m.has_rejoin(); }), 1);
  EXPECT_EQ(output_.Count([](const auto& m) { return m.has_lease(); }), 0);
}

TEST_F(SchedulerTest, EventsFromAFencedAttemptAreRejected) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string old_attempt = output_.TakeAssigns()[0].second.attempt_id();
  Hello("w2", 1);
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(2s);
    scheduler_->OnHeartbeat("w2", {});
  }
  clock_.Advance(2s);
  std::string new_attempt = output_.TakeAssigns()[0].second.attempt_id();
  // w1 comes back from a partition and reports success for its old attempt.
  output_.sent.clear();
  Report("w1", {Started(old_attempt), Finished(old_attempt, 2, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(scheduler_->counters().events_stale_rejected, 2u);
  EXPECT_EQ(output_.Count([](const auto& m) { return m.has_reject(); }), 1);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_ASSIGNED);
  Complete("w2", new_attempt);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerTest, LostRetriesRunOutThenItFails) {
  Submit({Card(1, "None", "**Retries**: 1\n")});
  for (int attempt = 1; attempt <= 2; ++attempt) {
    Hello("w" + std::to_string(attempt), 1);
    clock_.Advance(3s);
    ASSERT_EQ(output_.TakeAssigns().size(), 1u) << attempt;
    clock_.Advance(11s);  // the lease runs out
  }
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_NE(Message("WS-01").find("lost 2 times"), std::string::npos);
}

TEST_F(SchedulerTest, AFailureBlocksDependentsAndHaltsWithoutKeepGoing) {
  Submit({Card(1, "None"), Card(2, "WS-01"), Card(3, "WS-02"), Card(4, "None")});
  Hello("w1", 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns[0].second.workstream_id(), "WS-01");
  Complete("w1", assigns[0].second.attempt_id(), v1::ATTEMPT_OUTCOME_FAILED);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-01"), "step 1 failed");
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_BLOCKED);
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_BLOCKED);
  EXPECT_EQ(Message("WS-03"), "blocked: WS-01 failed");
  EXPECT_TRUE(output_.TakeAssigns().empty());  // WS-04 does not start
  EXPECT_EQ(State("WS-04"), v1::WORKSTREAM_STATE_READY);
  EXPECT_TRUE(scheduler_->Done());
  EXPECT_FALSE(scheduler_->Status().succeeded());
}

TEST_F(SchedulerTest, KeepGoingRunsIndependentWork) {
  Submit({Card(1, "None"), Card(2, "WS-01"), Card(4, "None")}, /*keep_going=*/true);
  Hello("w1", 1);
  Complete("w1", output_.TakeAssigns()[0].second.attempt_id(), v1::ATTEMPT_OUTCOME_FAILED);
  auto next = output_.TakeAssigns();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].second.workstream_id(), "WS-04");
}

TEST_F(SchedulerTest, FailedStepsAreRetriedWhenTheCardSaysSo) {
  Submit({Card(1, "None", "**Retries**: 1\n")});
  Hello("w1", 1);
  Complete("w1", output_.TakeAssigns()[0].second.attempt_id(), v1::ATTEMPT_OUTCOME_FAILED);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
  clock_.Advance(2s);
  Complete("w1", output_.TakeAssigns()[0].second.attempt_id(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerTest, ARetryIsToldWhyTheAttemptBeforeFailedWithTheEndOfItsOutput) {
  Submit({Card(1, "None", "**Retries**: 1\n")});
  Hello("w1", 1);
  std::string first = output_.TakeAssigns()[0].second.attempt_id();
  v1::Event failed = Finished(first, 2, v1::ATTEMPT_OUTCOME_FAILED, "test 1 exited 1");
  failed.mutable_finished()->set_log_tail("FAILED: A.b expected 2, got 3\n");
  Report("w1", {Started(first), failed});
  Restart();  // the reason survives a coordinator restart: it is in the stored event
  ASSERT_TRUE(scheduler_->Recover().ok());
  Hello("w1", 1);
  clock_.Advance(2s);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.previous_failure(),
            "test 1 exited 1\n\nThe end of its log:\n\n```\nFAILED: A.b expected 2, got 3\n\n```");
}

TEST_F(SchedulerTest, CriteriaAreJudgedAgainstReportedMetrics) {
  Submit({Card(1, "None", "## Acceptance Criteria\n- Fast: `p99_ms < 10`\n- Reviewed\n"),
          Card(2, "None", "## Acceptance Criteria\n- Fast: `p99_ms < 10`\n")},
         /*keep_going=*/true);
  Hello("w1", 2);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  for (const auto& [worker, spec] : assigns) {
    double p99 = spec.workstream_id() == "WS-01" ? 4 : 40;
    Report(worker, {Started(spec.attempt_id()), Metric(spec.attempt_id(), 2, "p99_ms", p99),
                    Finished(spec.attempt_id(), 3, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  }
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Message("WS-02"), "acceptance criteria failed: p99_ms = 40 (wanted < 10)");
}

TEST_F(SchedulerTest, CancelRunningAndPendingWork) {
  Submit({Card(1, "None"), Card(2, "WS-01"), Card(3, "None")}, /*keep_going=*/true);
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  std::string error;
  EXPECT_EQ(scheduler_->Cancel("WS-03", false, &error), 1);
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_CANCELLED);
  EXPECT_EQ(scheduler_->Cancel("WS-01", false, &error), 1);
  EXPECT_EQ(output_.Count([](const auto& m) { return m.has_cancel(); }), 1);
  Report("w1", {Started(attempt), Finished(attempt, 2, v1::ATTEMPT_OUTCOME_CANCELLED)});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_CANCELLED);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_BLOCKED);
  EXPECT_EQ(scheduler_->Cancel("WS-99", false, &error), 0);
  EXPECT_NE(error.find("no workstream WS-99"), std::string::npos);

  // Retry brings it and what it blocked back.
  ASSERT_TRUE(scheduler_->Retry("WS-01").ok());
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_PENDING);
  auto again = output_.TakeAssigns();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.workstream_id(), "WS-01");
  EXPECT_FALSE(scheduler_->Retry("WS-02").ok());  // pending: nothing to retry
}

TEST_F(SchedulerTest, DrainedWorkersTakeNoNewWork) {
  Submit({Card(1, "None"), Card(2, "None")});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  ASSERT_TRUE(scheduler_->Drain("w1").ok());
  Complete("w1", attempt);
  EXPECT_TRUE(output_.TakeAssigns().empty());
  Hello("w2", 1);
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
  EXPECT_FALSE(scheduler_->Drain("nobody").ok());
}

TEST_F(SchedulerTest, AReconnectingWorkerKeepsItsAttemptsWithinTheLease) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  scheduler_->OnWorkerDisconnected("w1");
  clock_.Advance(5s);
  output_.sent.clear();
  Hello("w1", 1, 0, {}, {attempt, "stale-attempt"});
  ASSERT_FALSE(output_.sent.empty());
  const v1::Welcome& welcome = output_.sent.front().second.welcome();
  ASSERT_EQ(welcome.adopted_attempt_ids_size(), 1);
  EXPECT_EQ(welcome.adopted_attempt_ids(0), attempt);
  ASSERT_EQ(welcome.cancelled_attempt_ids_size(), 1);
  clock_.Advance(8s);  // past the first lease: renewed by the hello
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_ASSIGNED);
  Complete("w1", attempt);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
}

TEST_F(SchedulerTest, AWorkerThatRestartedWithoutItsAttemptLosesIt) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  output_.TakeAssigns();
  Hello("w1", 1);  // no attempts reported
  clock_.Advance(500ms);  // lost: placed again after the fence margin, without a backoff
  auto again = output_.TakeAssigns();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.attempt_number(), 2u);
  EXPECT_NE(again[0].second.previous_failure().find("restarted without it"), std::string::npos)
      << again[0].second.previous_failure();
}

TEST_F(SchedulerTest, RecoveryResumesFromTheStore) {
  Submit({Card(1, "None"), Card(2, "WS-01"), Card(3, "WS-02")});
  Hello("w1", 1);
  Complete("w1", output_.TakeAssigns()[0].second.attempt_id());
  std::string running = output_.TakeAssigns()[0].second.attempt_id();
  Report("w1", {Started(running), Metric(running, 2, "m", 5)});
  // The coordinator dies and a new one starts on the same store.
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_RUNNING);
  EXPECT_EQ(scheduler_->ViewOf(1).facts.metrics.at("m"), 5);
  output_.sent.clear();
  Hello("w1", 1, 0, {}, {running});
  EXPECT_TRUE(output_.TakeAssigns().empty());  // adopted, not re-run
  // Events resent from before the crash are duplicates; the new ones count.
  Report("w1", {Started(running, 1), Metric(running, 2, "m", 5),
                Finished(running, 3, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(State("WS-02"), v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
}

TEST_F(SchedulerTest, RecoveredAttemptsWhoseWorkerNeverReturnsAreLost) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  output_.TakeAssigns();
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  clock_.Advance(11s);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_READY);
}

TEST_F(SchedulerTest, BackoffGrowsExponentiallyWithinJitter) {
  options_.backoff_initial = 1s;
  options_.backoff_max = 4s;
  Restart();
  Submit({Card(1, "None", "**Retries**: 5\n")});
  Hello("w1", 1);
  auto assigns = output_.TakeAssigns();
  std::vector<double> waits;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    ASSERT_EQ(assigns.size(), 1u) << attempt;
    Complete("w1", assigns[0].second.attempt_id(), v1::ATTEMPT_OUTCOME_FAILED);
    int waited_ms = 0;
    while ((assigns = output_.TakeAssigns()).empty() && waited_ms < 60000) {
      clock_.Advance(10ms);
      waited_ms += 10;
      scheduler_->OnHeartbeat("w1", {});
    }
    if (attempt < 6 && !assigns.empty()) waits.push_back(waited_ms / 1000.0);
  }
  ASSERT_EQ(waits.size(), 5u);
  // 1, 2, 4, 4 (capped), 4 seconds, each within +-20%.
  const double expected[] = {1, 2, 4, 4, 4};
  for (size_t i = 0; i < waits.size(); ++i) {
    EXPECT_GE(waits[i], expected[i] * 0.8 - 0.011) << i;
    EXPECT_LE(waits[i], expected[i] * 1.2 + 0.011) << i;
  }
}

}  // namespace
}  // namespace wsfleet::coordinator

namespace wsfleet::coordinator {
namespace {

v1::Event InFileLog(const std::string& attempt, uint64_t seq, uint64_t offset, uint64_t length) {
  v1::Event event;
  event.set_attempt_id(attempt);
  event.set_seq(seq);
  event.mutable_log()->set_in_file(true);
  event.mutable_log()->set_offset(offset);
  event.mutable_log()->set_length(length);
  return event;
}

TEST_F(SchedulerTest, AWorkerWithTheLogTokenWritesItsLogsAndNoOtherMayClaimTo) {
  options_.state_dir = "/state";
  options_.local_log_token = "t0ken";
  Restart();
  Submit({Card(1, "None"), Card(2, "None")});
  v1::Hello local;
  local.set_worker_id("w1");
  local.mutable_resources()->set_slots(1);
  local.set_log_token("t0ken");
  scheduler_->OnWorkerHello(local);
  scheduler_->FlushEvents();
  Hello("w2", 1);  // presents no token: another machine
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  std::map<std::string, v1::AttemptSpec> by_worker;
  for (const auto& [worker, spec] : assigns) by_worker[worker] = spec;
  const v1::AttemptSpec& mine = by_worker["w1"];
  std::string plan_dir = "/state/plans/" + scheduler_->plan_row().plan_id;
  EXPECT_EQ(mine.log_path(), plan_dir + "/logs/" + mine.workstream_id() + "/" + mine.attempt_id() + ".log");
  EXPECT_EQ(mine.transcript_path(),
            plan_dir + "/transcripts/" + mine.workstream_id() + "/" + mine.attempt_id() + ".jsonl");
  EXPECT_EQ(by_worker["w2"].log_path(), "");
  EXPECT_EQ(by_worker["w2"].transcript_path(), "");

  size_t stored = store_->stored_events();
  Report("w1", {InFileLog(mine.attempt_id(), 1, 0, 100)});
  EXPECT_EQ(store_->stored_events(), stored + 1);
  // A worker elsewhere cannot have written the coordinator's files: refused, not stored.
  Report("w2", {InFileLog(by_worker["w2"].attempt_id(), 1, 0, 100)});
  EXPECT_EQ(store_->stored_events(), stored + 1);
  EXPECT_EQ(scheduler_->counters().events_stale_rejected, 1u);
}

TEST_F(SchedulerTest, AWrongLogTokenOrNoneConfiguredMeansWorkersSendTheirOutput) {
  options_.state_dir = "/state";
  Restart();  // no token of its own: `wsfleet coordinator`
  Submit({Card(1, "None")});
  v1::Hello hello;
  hello.set_worker_id("w1");
  hello.mutable_resources()->set_slots(1);
  hello.set_log_token("");
  scheduler_->OnWorkerHello(hello);
  scheduler_->FlushEvents();
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.log_path(), "");

  options_.local_log_token = "right";
  store_ = std::make_unique<testing::FakeStateStore>();
  Restart();
  Submit({Card(1, "None")});
  hello.set_log_token("wrong");
  scheduler_->OnWorkerHello(hello);
  scheduler_->FlushEvents();
  assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.log_path(), "");
}

}  // namespace
}  // namespace wsfleet::coordinator

namespace wsfleet::coordinator {
namespace {

// A worker shutting down (SIGTERM) says it is leaving: nothing more goes to it. What it
// hands back when its grace runs out is placed again at once, elsewhere, and spends none
// of the card's retries (Retries: 0 here: a lost attempt would fail it).
TEST_F(SchedulerTest, AnAttemptHandedBackByALeavingWorkerRunsAgainAtOnceWithoutSpendingARetry) {
  Submit({Card(1, "None", "**Retries**: 0\n"), Card(2, "None")});
  Hello("w1", 1);
  auto first = output_.TakeAssigns();
  ASSERT_EQ(first.size(), 1u);
  std::string attempt = first[0].second.attempt_id();
  Report("w1", {Started(attempt)});
  scheduler_->OnWorkerLeaving("w1", "SIGTERM");
  Report("w1", {Finished(attempt, 2, v1::ATTEMPT_OUTCOME_HANDED_BACK, "handed back: w1 shut down")});
  EXPECT_EQ(State(first[0].second.workstream_id()), v1::WORKSTREAM_STATE_READY);
  EXPECT_NE(Message(first[0].second.workstream_id()).find("handed back by w1"), std::string::npos)
      << Message(first[0].second.workstream_id());
  EXPECT_TRUE(output_.TakeAssigns().empty()) << "w1 is leaving: nothing is placed on it";
  Hello("w2", 1);
  auto again = output_.TakeAssigns();  // no backoff to wait out
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].first, "w2");
  EXPECT_EQ(again[0].second.workstream_id(), first[0].second.workstream_id());
  EXPECT_EQ(again[0].second.attempt_number(), 2u) << "it ran once: it counts as an attempt";
  Complete("w2", again[0].second.attempt_id());
  EXPECT_EQ(State(first[0].second.workstream_id()), v1::WORKSTREAM_STATE_SUCCEEDED);
  // A Hello (the worker restarted) takes it back into the fleet.
  Hello("w1", 1);
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
}

// REVOKED is for an attempt that never started; said of a running one, the workstream does
// not wait for it forever: it is as good as lost, and retried.
TEST_F(SchedulerTest, ARevokeOfAStartedAttemptIsTakenAsLost) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = output_.TakeAssigns()[0].second.attempt_id();
  Report("w1", {Started(attempt), Finished(attempt, 2, v1::ATTEMPT_OUTCOME_REVOKED, "revoked")});
  clock_.Advance(500ms);  // lost: placed again after the fence margin, without a backoff
  auto retry = output_.TakeAssigns();
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].second.attempt_number(), 2u);
  EXPECT_NE(retry[0].second.previous_failure().find("lost: stopped by its worker"), std::string::npos)
      << retry[0].second.previous_failure();
}

TEST_F(SchedulerTest, WorkersJoiningInOneTurnOfTheLoopAreStoredTogetherWithTheWorkPlacedOnThem) {
  std::vector<common::SourceFile> cards;
  for (int i = 1; i <= 50; ++i) cards.push_back(Card(i, "None"));
  Submit(cards);
  int before = store_->commits();
  for (int i = 0; i < 50; ++i) {
    v1::Hello hello;
    hello.set_worker_id("w" + std::to_string(i));
    hello.mutable_resources()->set_slots(1);
    scheduler_->OnWorkerHello(hello);
  }
  EXPECT_EQ(store_->commits(), before) << "nothing stored before the turn ends";
  EXPECT_TRUE(output_.TakeAssigns().empty()) << "and nothing assigned before it is stored";
  scheduler_->FlushEvents();
  EXPECT_EQ(store_->commits() - before, 2) << "the 50 workers' rows, then the 50 attempts placed on them";
  EXPECT_EQ(output_.TakeAssigns().size(), 50u);
}

}  // namespace
}  // namespace wsfleet::coordinator
