#include "coordinator/coordinator_metrics.h"

#include "coordinator/timed_state_store.h"
#include "tests/support/metric_reader.h"
#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;
using testing::HistogramSum;
using testing::MetricValue;

class CoordinatorMetricsTest : public SchedulerTest {
 protected:
  CoordinatorMetricsTest() { Observe({}); }

  void Observe(CoordinatorMetricsOptions options) {
    registry_ = std::make_shared<prometheus::Registry>();
    metrics_ = std::make_unique<CoordinatorMetrics>(*registry_, options);
    scheduler_->set_observer(metrics_.get());
  }
  std::optional<double> Value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) {
    metrics_->Refresh(*scheduler_, clock_, 3ms);
    return MetricValue(*registry_, name, labels);
  }
  // Started as the worker reports it, stamped with the (fake) time.
  v1::Event StartedNow(const std::string& attempt) {
    v1::Event event = Started(attempt, 1);
    event.set_time_unix_ms(common::ToUnixMillis(clock_.WallNow()));
    return event;
  }
  std::string OnlyAssign() {
    auto assigns = output_.TakeAssigns();
    EXPECT_EQ(assigns.size(), 1u);
    return assigns.empty() ? "" : assigns[0].second.attempt_id();
  }
  static v1::Event Log(const std::string& attempt, uint64_t seq, const std::string& data) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_log()->set_data(data);
    return event;
  }
  static v1::Event Test(const std::string& attempt, uint64_t seq, v1::TestStatus status) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_test()->set_name("t" + std::to_string(seq));
    event.mutable_test()->set_status(status);
    return event;
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<CoordinatorMetrics> metrics_;
};

TEST_F(CoordinatorMetricsTest, WorkstreamsByStateAttemptsByResultAndDispatchLatency) {
  Submit({Card(1, "None"), Card(2, "WS-01")});
  Hello("w1", 1);
  std::string first = OnlyAssign();
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "assigned"}}), 1);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "pending"}}), 1);
  clock_.Advance(40ms);  // ready -> started
  Report("w1", {StartedNow(first)});
  clock_.Advance(2s);
  Report("w1", {Finished(first, 2, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "succeeded"}}), 1);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "assigned"}}), 1);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "failed"}}), 0);
  EXPECT_EQ(Value("wsfleet_attempts_total", {{"result", "succeeded"}}), 1);
  EXPECT_EQ(Value("wsfleet_attempts_total", {{"result", "failed"}}), 0);
  EXPECT_EQ(Value("wsfleet_attempts_started_total"), 2);
  EXPECT_EQ(Value("wsfleet_plan_progress_ratio", {{"plan", "test"}}), 0.5);
  EXPECT_EQ(Value("wsfleet_dispatch_latency_seconds"), 1);
  EXPECT_NEAR(*HistogramSum(*registry_, "wsfleet_dispatch_latency_seconds"), 0.040, 1e-9);
  EXPECT_EQ(Value("wsfleet_workstream_duration_seconds", {{"state", "succeeded"}}), 1);
  EXPECT_EQ(Value("wsfleet_events_stored_total"), 2);
  EXPECT_EQ(Value("wsfleet_event_loop_lag_seconds"), 0.003);
}

TEST_F(CoordinatorMetricsTest, CriticalPathAndEtaFollowTheObservedSpeed) {
  options_.lease = 24h;  // the fake hour below passes without heartbeats
  Restart();
  Observe({});
  // Two one-day cards in a chain: 16 working hours of estimate remain.
  Submit({Card(1, "None"), Card(2, "WS-01")});
  Hello("w1", 1);
  EXPECT_EQ(Value("wsfleet_plan_critical_path_remaining_seconds", {{"plan", "test"}}), 16 * 3600);
  EXPECT_EQ(Value("wsfleet_plan_eta_seconds", {{"plan", "test"}}), 16 * 3600);
  EXPECT_EQ(scheduler_->Status().eta_seconds(), 0) << "the status shows none until there is a pace";
  std::string first = OnlyAssign();
  Report("w1", {StartedNow(first)});
  clock_.Advance(1h);  // a one-day (8 h) card took one hour: the plan runs 8x faster
  Report("w1", {Finished(first, 2, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  EXPECT_EQ(Value("wsfleet_plan_critical_path_remaining_seconds", {{"plan", "test"}}), 8 * 3600);
  EXPECT_NEAR(*Value("wsfleet_plan_eta_seconds", {{"plan", "test"}}), 3600, 1);
  EXPECT_NEAR(scheduler_->Status().eta_seconds(), 3600, 1) << "the live views' ETA is the same";
}

TEST_F(CoordinatorMetricsTest, LogBytesTestsAndStepMetricsFromStoredEventsOnly) {
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = OnlyAssign();
  Report("w1", {Started(attempt, 1), Log(attempt, 2, "hello\n"), Test(attempt, 3, v1::TEST_STATUS_PASSED),
                Test(attempt, 4, v1::TEST_STATUS_FAILED), Metric(attempt, 5, "tokens", 9)});
  // A resend of what was stored is dropped, and not counted again.
  Report("w1", {Log(attempt, 2, "hello\n"), Metric(attempt, 5, "tokens", 9)});
  EXPECT_EQ(Value("wsfleet_log_bytes_total", {{"stream", "stdout"}}), 6);
  EXPECT_EQ(Value("wsfleet_tests_total", {{"result", "passed"}}), 1);
  EXPECT_EQ(Value("wsfleet_tests_total", {{"result", "failed"}}), 1);
  EXPECT_EQ(Value("wsfleet_step_metric", {{"plan", "test"}, {"workstream", "WS-01"}, {"name", "tokens"}}), 9);
  EXPECT_EQ(Value("wsfleet_events_duplicate_total"), 2);
  // Events of an attempt that is no longer current count only as rejected.
  Report("w1", {Metric("stale-attempt", 1, "tokens", 1)});
  EXPECT_EQ(Value("wsfleet_events_stale_rejected_total"), 1);
  EXPECT_EQ(Value("wsfleet_step_metric", {{"plan", "test"}, {"workstream", "WS-01"}, {"name", "tokens"}}), 9);
}

TEST_F(CoordinatorMetricsTest, StepMetricSeriesAreBoundedAndGoWithTheirPlan) {
  Observe({.max_step_metric_series = 2});
  Submit({Card(1, "None")});
  Hello("w1", 1);
  std::string attempt = OnlyAssign();
  Report("w1", {Started(attempt, 1), Metric(attempt, 2, "a", 1), Metric(attempt, 3, "b", 2),
                Metric(attempt, 4, "c", 3), Metric(attempt, 5, "a", 4)});
  EXPECT_EQ(Value("wsfleet_step_metric", {{"plan", "test"}, {"workstream", "WS-01"}, {"name", "a"}}), 4);
  EXPECT_EQ(Value("wsfleet_step_metric", {{"plan", "test"}, {"workstream", "WS-01"}, {"name", "c"}}), std::nullopt);
  EXPECT_EQ(Value("wsfleet_step_metric_series_dropped_total"), 1);
  Report("w1", {Finished(attempt, 6, v1::ATTEMPT_OUTCOME_SUCCEEDED)});
  ASSERT_TRUE(scheduler_->Submit({Card(1, "None")}, "other", false).ok());
  EXPECT_EQ(Value("wsfleet_step_metric", {{"plan", "test"}, {"workstream", "WS-01"}, {"name", "a"}}), std::nullopt);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "test"}, {"state", "succeeded"}}), std::nullopt);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "other"}, {"state", "assigned"}}), 1);
}

TEST_F(CoordinatorMetricsTest, WorkersHeartbeatAgeSlotsAndLostLeases) {
  Submit({Card(1, "None")});
  Hello("w1", 3, 2);
  OnlyAssign();
  clock_.Advance(1500ms);
  EXPECT_EQ(Value("wsfleet_workers", {{"state", "connected"}}), 1);
  EXPECT_EQ(Value("wsfleet_heartbeat_age_seconds", {{"worker", "w1"}}), 1.5);
  EXPECT_EQ(Value("wsfleet_slots", {{"worker", "w1"}, {"state", "busy"}}), 1);
  EXPECT_EQ(Value("wsfleet_slots", {{"worker", "w1"}, {"state", "free"}}), 2);
  EXPECT_EQ(Value("wsfleet_gpus", {{"worker", "w1"}}), 2);
  clock_.Advance(10s);  // past the lease
  EXPECT_EQ(Value("wsfleet_workers", {{"state", "lost"}}), 1);
  EXPECT_EQ(Value("wsfleet_leases_expired_total"), 1);
  EXPECT_EQ(Value("wsfleet_attempts_total", {{"result", "lost"}}), 1);
  EXPECT_EQ(Value("wsfleet_heartbeat_age_seconds", {{"worker", "w1"}}), std::nullopt);
  EXPECT_EQ(Value("wsfleet_slots", {{"worker", "w1"}, {"state", "busy"}}), std::nullopt);
}

TEST_F(CoordinatorMetricsTest, StoreOperationsAreTimedByName) {
  TimedStateStore timed(*store_, [this](const char* operation, double seconds) {
    metrics_->StoreOperation(operation, seconds);
  });
  scheduler_ = std::make_unique<Scheduler>(clock_, timed, output_, placement_, options_);
  scheduler_->set_observer(metrics_.get());
  Submit({Card(1, "None")});
  Hello("w1", 1);
  EXPECT_EQ(Value("wsfleet_store_commit_seconds", {{"operation", "submit_plan"}}), 1);
  EXPECT_EQ(Value("wsfleet_store_commit_seconds", {{"operation", "record_workers"}}), 1);
  // The join and the work placed on it: stored at the end of the loop's turn, with its events.
  EXPECT_GE(Value("wsfleet_store_commit_seconds", {{"operation", "record_events"}}).value_or(0), 1);
  scheduler_.reset();  // before the store it uses
}

TEST_F(CoordinatorMetricsTest, AgentReportsAddWhatGrewAndStopsAreCounted) {
  Submit({Card(1, "None", "**Agent Type**: `claude`\n**Retries**: 2\n")});
  Hello("w1", 1, 0, {{"agent.claude", "2.1.332"}});
  std::string attempt = OnlyAssign();
  auto report = [&](uint64_t seq, uint64_t in, uint64_t out, uint64_t turns, double cost) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    v1::AgentReport& agent = *event.mutable_agent();
    agent.set_agent_type("claude");
    agent.set_input_tokens(in);
    agent.set_output_tokens(out);
    agent.set_turns(turns);
    agent.set_cost_usd(cost);
    agent.set_cost_reported(true);
    return event;
  };
  const std::map<std::string, std::string> claude = {{"agent", "claude"}, {"plan", "test"}};
  EXPECT_EQ(Value("wsfleet_agent_tokens_total", {{"agent", "codex"}, {"plan", "test"}, {"kind", "input"}}), 0)
      << "the shipped agents' series exist before any report";
  v1::Event finished = Finished(attempt, 4, v1::ATTEMPT_OUTCOME_FAILED, "budget");
  finished.mutable_finished()->set_budget_stop(true);
  // Totals: 1000 then 2500 in; a closing summary restating fewer turns takes nothing back.
  Report("w1", {StartedNow(attempt), report(2, 1000, 50, 3, 0.01), report(3, 2500, 90, 2, 0.04), finished});
  auto with = [&](const char* kind) {
    auto labels = claude;
    labels["kind"] = kind;
    return labels;
  };
  EXPECT_EQ(Value("wsfleet_agent_tokens_total", with("input")), 2500);
  EXPECT_EQ(Value("wsfleet_agent_tokens_total", with("output")), 90);
  EXPECT_EQ(Value("wsfleet_agent_turns_total", claude), 3);
  EXPECT_NEAR(*Value("wsfleet_agent_cost_dollars_total", claude), 0.04, 1e-12);
  EXPECT_EQ(Value("wsfleet_agent_stops_total", {{"reason", "budget"}}), 1);
  EXPECT_EQ(Value("wsfleet_agent_stops_total", {{"reason", "stalled"}}), 0);
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_FAILED) << "a budget stop is not retried";
  ASSERT_TRUE(scheduler_->Status().workstreams(0).has_agent());
  EXPECT_EQ(scheduler_->Status().workstreams(0).agent().input_tokens(), 2500u);
}

TEST_F(CoordinatorMetricsTest, EveryPlanHeldHasItsSeriesAndItsShareOfTheFleet) {
  ASSERT_TRUE(scheduler_->Submit({Card(1, "None"), Card(2, "None")}, "a", false, {1, 0, 0}).ok());
  ASSERT_TRUE(scheduler_->Submit({Card(1, "None"), Card(2, "None"), Card(3, "None")}, "b", false, {2, 0, 0}).ok());
  Hello("w1", 3);
  EXPECT_EQ(Value("wsfleet_plan_share", {{"plan", "b"}}), 2);
  EXPECT_EQ(Value("wsfleet_plan_slots_held", {{"plan", "a"}}), 1);
  EXPECT_EQ(Value("wsfleet_plan_slots_held", {{"plan", "b"}}), 2);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "a"}, {"state", "ready"}}), 1);
  EXPECT_EQ(Value("wsfleet_workstreams", {{"plan", "b"}, {"state", "assigned"}}), 2);
  EXPECT_EQ(Value("wsfleet_queue_depth"), 2) << "ready work of both plans";
  clock_.Advance(10s);
  EXPECT_EQ(Value("wsfleet_plan_slot_seconds", {{"plan", "b"}}), 20);
}

}  // namespace
}  // namespace wsfleet::coordinator
