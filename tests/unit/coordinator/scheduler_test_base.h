#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "coordinator/placement_policy.h"
#include "coordinator/scheduler.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_state_store.h"
#include "tests/support/recording_output.h"

namespace wsfleet::coordinator {

// A scheduler on a fake clock, an in-memory store and a recording output, with helpers
// that play the workers' part.
class SchedulerTest : public ::testing::Test {
 protected:
  static SchedulerOptions Options() {
    SchedulerOptions options;
    options.random_seed = 7;
    // Slots are the limit here; worker queues have their own tests (scheduler_queue_test).
    options.worker_queue = 0;
    return options;
  }

  SchedulerTest() { Restart(); }

  void Restart() {
    scheduler_ = std::make_unique<Scheduler>(clock_, *store_, output_, placement_, options_);
  }

  // A card with one step (a card without any cannot succeed: see verdict.h).
  static common::SourceFile Card(int id, const std::string& dependencies,
                                 const std::string& extra = "") {
    std::string number = std::to_string(id);
    return {"ws" + number + ".md", "# WS-" + number + ": Card " + number +
                                       "\n\n**Duration**: 1 day\n**Dependencies**: " +
                                       dependencies + "\n" + extra + "\n## Test Commands\n\n```bash\ntrue\n```\n"};
  }

  std::string Submit(const std::vector<common::SourceFile>& cards, bool keep_going = false) {
    auto result = scheduler_->Submit(cards, "test", keep_going);
    EXPECT_TRUE(result.ok()) << result.status();
    EXPECT_FALSE(result->diagnostics.has_errors());
    return result->plan_id;
  }

  void Hello(const std::string& worker, uint32_t slots, uint32_t gpus = 0,
             std::map<std::string, std::string> labels = {},
             const std::vector<std::string>& running = {},
             const std::vector<std::string>& queued = {}) {
    v1::Hello hello;
    hello.set_worker_id(worker);
    hello.mutable_resources()->set_slots(slots);
    for (uint32_t i = 0; i < gpus; ++i) hello.mutable_resources()->add_gpus()->set_index(i);
    for (const auto& [key, value] : labels) (*hello.mutable_resources()->mutable_labels())[key] = value;
    for (const std::string& attempt : running) hello.add_attempts()->set_attempt_id(attempt);
    for (const std::string& attempt : queued) {
      v1::RunningAttempt& waiting = *hello.add_attempts();
      waiting.set_attempt_id(attempt);
      waiting.set_queued(true);
    }
    scheduler_->OnWorkerHello(hello);
    scheduler_->FlushEvents();  // the end of the loop's turn: the join stored, work placed on it
  }

  static v1::Event Started(const std::string& attempt, uint64_t seq = 1) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_started()->set_worker_id("w");
    return event;
  }
  static v1::Event Finished(const std::string& attempt, uint64_t seq,
                            v1::AttemptOutcome outcome, const std::string& message = "") {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_finished()->set_outcome(outcome);
    event.mutable_finished()->set_message(message);
    return event;
  }
  static v1::Event Metric(const std::string& attempt, uint64_t seq, const std::string& name,
                          double value) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_metric()->set_name(name);
    event.mutable_metric()->set_value(value);
    return event;
  }

  void Report(const std::string& worker, const std::vector<v1::Event>& events) {
    v1::EventBatch batch;
    for (const v1::Event& event : events) *batch.add_events() = event;
    scheduler_->OnEvents(worker, batch);
    scheduler_->FlushEvents();
  }

  // Runs an attempt to the end: started, then finished with `outcome`.
  void Complete(const std::string& worker, const std::string& attempt,
                v1::AttemptOutcome outcome = v1::ATTEMPT_OUTCOME_SUCCEEDED) {
    Report(worker, {Started(attempt, 1), Finished(attempt, 2, outcome, "step 1 failed")});
  }

  v1::WorkstreamState State(const std::string& id) {
    v1::RunStatus status = scheduler_->Status();
    for (const auto& ws : status.workstreams()) {
      if (ws.id() == id) return ws.state();
    }
    ADD_FAILURE() << "no workstream " << id;
    return v1::WORKSTREAM_STATE_UNSPECIFIED;
  }
  std::string Message(const std::string& id) {
    v1::RunStatus status = scheduler_->Status();
    for (const auto& ws : status.workstreams()) {
      if (ws.id() == id) return ws.message();
    }
    return "";
  }

  testing::FakeClock clock_;
  std::unique_ptr<testing::FakeStateStore> store_ = std::make_unique<testing::FakeStateStore>();
  testing::RecordingOutput output_;
  SpreadPlacement placement_;
  SchedulerOptions options_ = Options();
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace wsfleet::coordinator
