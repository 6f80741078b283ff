// The Dispatcher alone, over a PlanRun it shares with no state machine: what a round
// places, what it stores before sending, what it fails, what it queues and takes back.

#include "coordinator/dispatcher.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/plan_loader.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_state_store.h"
#include "tests/support/recording_output.h"

namespace wsfleet::coordinator {
namespace {

// The run as a dispatcher reads it for dependency summaries: straight from the PlanRun.
class PlanRunReader : public RunReader {
 public:
  explicit PlanRunReader(const PlanRun& run) : run_(run) {}
  bool has_plan() const override { return run_.has_plan(); }
  const common::Plan* plan() const override { return run_.plan.get(); }
  const PlanRow& plan_row() const override { return run_.row; }
  RunView ViewOf(int index) const override {
    const WorkstreamRun& run = run_.runs[index];
    return {run_.card(index), run.row, run.facts(), nullptr, "", run.attempt_ids, {}, {}, {}};
  }
  v1::RunStatus Status() const override { return {}; }
  v1::ListWorkersResponse Workers() const override { return {}; }
  bool Done() const override { return run_.Done(); }
  SchedulerCounters counters() const override { return {}; }
  size_t merge_queue_length() const override { return 0; }
  Verification verification() const override { return Verification::kDefault; }

 private:
  const PlanRun& run_;
};

class DispatcherTest : public ::testing::Test {
 protected:
  DispatcherTest() {
    options_.random_seed = 7;
    options_.worker_queue = 0;
  }

  // Adopts cards `text` (one per element) with every workstream READY now.
  void Plan(const std::vector<std::string>& cards) {
    std::vector<common::SourceFile> files;
    for (size_t i = 0; i < cards.size(); ++i) {
      files.push_back({"ws" + std::to_string(i + 1) + ".md",
                       "# WS-" + std::to_string(i + 1) + ": Card\n\n**Duration**: 1 day\n" + cards[i]});
    }
    auto plan = std::make_unique<common::Plan>(common::AssemblePlan(files));
    ASSERT_TRUE(plan->ok());
    run_.Adopt(std::move(plan), PlanRow{"plan-1", "test", false, 0, {}, {}, {}});
    for (size_t i = 0; i < run_.runs.size(); ++i) {
      run_.runs[i].row.workstream_id = run_.card(static_cast<int>(i)).id.ToString();
      run_.MakeReady(static_cast<int>(i), clock_.Now());
    }
    run_.TakeDirty();
  }

  WorkerView& Worker(const std::string& id, uint32_t slots, uint32_t gpus = 0) {
    WorkerView& worker = cluster_.Upsert(id);
    worker.slots = slots;
    worker.connected = true;
    for (uint32_t i = 0; i < gpus; ++i) worker.gpu_indices.push_back(i);
    cluster_.Reindex(id);
    return worker;
  }

  v1::WorkstreamState State(int index) const { return run_.runs[index].row.state; }

  testing::FakeClock clock_;
  testing::FakeStateStore store_;
  testing::RecordingOutput output_;
  SpreadPlacement placement_;
  ClusterView cluster_;
  SchedulerOptions options_;
  PlanRun run_;
  RandomSource random_{7};
  PlanRunReader reader_{run_};
  std::vector<std::pair<int, std::string>> failed_;
  Dispatcher dispatcher_{clock_, store_, output_, placement_, cluster_, options_, run_, random_, reader_,
                         [this](int index, const std::string& message) {
                           failed_.emplace_back(index, message);
                           run_.ready.Remove(index);
                         }};
};

TEST_F(DispatcherTest, PlacesReadyWorkInPriorityOrderAndStoresItBeforeSending) {
  Plan({"**Priority**: P2\n", "**Priority**: P0\n"});
  Worker("w1", 1);
  dispatcher_.Dispatch();
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.workstream_id(), "WS-02");  // P0 before P2
  EXPECT_EQ(State(1), v1::WORKSTREAM_STATE_ASSIGNED);
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(store_.row("WS-02").state, v1::WORKSTREAM_STATE_ASSIGNED);  // stored, then sent
  EXPECT_EQ(store_.commits(), 1);
  EXPECT_EQ(dispatcher_.WhyWaiting(0), "waiting for a free slot (busy: w1)");
  EXPECT_EQ(dispatcher_.attempts_started(), 1u);
}

// A soft dependency orders ready work, never holds it: WS-02 (softly after WS-03) goes
// after WS-03 while WS-03 is ready or running, and runs at once when a slot is free.
TEST_F(DispatcherTest, ASoftDependencyOrdersReadyWorkButNeverHoldsIt) {
  Plan({"", "**Soft Dependencies**: WS-03\n", ""});
  Worker("w1", 2);
  dispatcher_.Dispatch();
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_ASSIGNED);
  EXPECT_EQ(State(1), v1::WORKSTREAM_STATE_READY) << "after WS-03, which is ready";
  EXPECT_EQ(State(2), v1::WORKSTREAM_STATE_ASSIGNED);
  Worker("w2", 1);
  dispatcher_.Dispatch();
  EXPECT_EQ(State(1), v1::WORKSTREAM_STATE_ASSIGNED) << "WS-03 still runs: WS-02 does not wait for it";
}

// A card waits with the reason that holds: its only worker drains, its GPUs are in use.
// (It said "waiting for a free worker" whatever the reason.)
TEST_F(DispatcherTest, AWaitingCardSaysWhatItWaitsFor) {
  Plan({"", "**GPUs**: 2\n"});
  Worker("w1", 4).draining = true;
  Worker("w2", 4, /*gpus=*/2).busy_gpus = {0};
  dispatcher_.Dispatch();
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_ASSIGNED) << "w2 has a free slot";
  EXPECT_EQ(dispatcher_.WhyWaiting(1), "waiting for 2 free GPUs (in use on w2)");
  cluster_.Upsert("w2").draining = true;
  EXPECT_EQ(dispatcher_.WhyWaiting(1), "waiting: every worker that can run it is draining (w2)");
  cluster_.Upsert("w2").connected = false;
  EXPECT_EQ(dispatcher_.WhyWaiting(1), "waiting for its workers to reconnect (w2)");
}

// `### Environment` places a card: an x86 worker without a GPU cannot run a GB10 card,
// and the card says what it needs and what the fleet has, then fails after the grace.
TEST_F(DispatcherTest, ACardsEnvironmentIsAPlacementConstraint) {
  options_.infeasible_grace = std::chrono::seconds(30);
  Plan({"### Environment\n- Hardware: DGX-Spark GB10\n- OS: Ubuntu 22.04 (ARM64)\n- CUDA: 13.0\n"
        "- Python: 3.10+ (if applicable)\n"});
  WorkerView& laptop = Worker("w1", 2);
  laptop.labels = {{"env.arch", "amd64"}, {"env.os", "debian"}, {"env.os.version", "12"}};
  dispatcher_.Dispatch();
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(run_.runs[0].waiting,
            "no worker can run it yet: needs a GB10 GPU, ubuntu 22.04, arm64, CUDA \xE2\x89\xA5 13.0: no such "
            "worker (w1: amd64, debian 12, no GPU)");
  WorkerView& spark = Worker("spark", 1, /*gpus=*/1);
  spark.labels = {{"env.arch", "arm64"},         {"env.os", "ubuntu"},         {"env.os.version", "22.04"},
                  {"gpu.product", "NVIDIA-GB10"}, {"env.cuda.driver", "13.0"}, {"env.cuda.runtime", "13.0"}};
  dispatcher_.Dispatch();
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_ASSIGNED);
  EXPECT_EQ(run_.attempts.begin()->second.worker_id, "spark");
}

TEST_F(DispatcherTest, RoundAloneHoldsAssignsUntilTheCallersCommit) {
  Plan({""});
  Worker("w1", 1);
  dispatcher_.Round();
  EXPECT_TRUE(output_.sent.empty());
  EXPECT_EQ(store_.commits(), 0);
  dispatcher_.MarkPlacedDirty();
  auto [rows, attempts] = run_.TakeDirty();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, v1::WORKSTREAM_STATE_ASSIGNED);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].worker_id, "w1");
  dispatcher_.SendPlaced();
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
}

TEST_F(DispatcherTest, FailsWhatNoWorkerCanRunOnceTheGraceHasPassed) {
  options_.infeasible_grace = std::chrono::seconds(30);
  Plan({"**GPUs**: 4\n"});
  Worker("w1", 1, /*gpus=*/2);
  dispatcher_.Dispatch();
  EXPECT_TRUE(failed_.empty());
  EXPECT_NE(run_.runs[0].waiting.find("no worker can run it yet"), std::string::npos) << run_.runs[0].waiting;
  clock_.Advance(std::chrono::seconds(29));
  EXPECT_TRUE(failed_.empty());
  clock_.Advance(std::chrono::seconds(2));  // its own timer wakes it
  ASSERT_EQ(failed_.size(), 1u);
  EXPECT_NE(failed_[0].second.find("cannot be placed"), std::string::npos) << failed_[0].second;
}

// Work no worker can run is parked out of the rounds (each attempt's end starts one) until
// the fleet changes; it still says why it waits, and a worker that can run it is used.
TEST_F(DispatcherTest, UnplaceableWorkIsParkedOutOfTheRoundsUntilTheFleetChanges) {
  options_.infeasible_grace = std::chrono::minutes(10);
  Plan({"**GPUs**: 4\n", "**GPUs**: 4\n", "**GPUs**: 4\n", "", ""});
  Worker("w1", 1);
  dispatcher_.Dispatch();
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
  EXPECT_EQ(run_.ready.parked(), 3u);
  EXPECT_EQ(run_.ready.size(), 1u) << "only the CPU card waiting for a slot is walked";
  EXPECT_NE(run_.runs[0].waiting.find("no worker can run it yet"), std::string::npos) << run_.runs[0].waiting;
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_READY);
  Worker("gpu", 1, /*gpus=*/4);
  cluster_.MakeupChanged();  // as the registry does when a worker joins
  dispatcher_.Dispatch();
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].first, "gpu");
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_ASSIGNED) << "GPU work, first in the order, went to the GPU worker";
  EXPECT_EQ(run_.ready.parked(), 0u) << "the others fit the fleet now: they wait for room, not for the fleet";
  EXPECT_TRUE(failed_.empty());
}

TEST_F(DispatcherTest, PlacesAGangAllAtOnceOrWaitsAndTimesOut) {
  options_.gang_timeout = std::chrono::minutes(1);
  Plan({"**Nodes**: 2\n"});
  Worker("w1", 1);
  Worker("w2", 1).used_slots = 1;  // busy
  dispatcher_.Dispatch();
  EXPECT_TRUE(output_.TakeAssigns().empty());
  EXPECT_EQ(run_.runs[0].waiting, "waiting: 1 of 2 nodes has a free slot");
  clock_.Advance(std::chrono::minutes(2));
  ASSERT_EQ(failed_.size(), 1u);
  EXPECT_NE(failed_[0].second.find("gang timeout (60 s)"), std::string::npos) << failed_[0].second;
}

TEST_F(DispatcherTest, WaitsOutABackoffOnItsOwnTimer) {
  Plan({""});
  Worker("w1", 1);
  run_.runs[0].not_before = clock_.Now() + std::chrono::seconds(5);
  dispatcher_.Dispatch();
  EXPECT_TRUE(output_.TakeAssigns().empty());
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(output_.TakeAssigns().size(), 1u);
}

TEST_F(DispatcherTest, QueuesOnABusyWorkerAndTakesItBackWhenAnotherFrees) {
  options_.worker_queue = 1;
  options_.revoke_after = std::chrono::seconds(1);
  Plan({"", ""});
  Worker("w1", 1);
  dispatcher_.Dispatch();
  ASSERT_EQ(output_.TakeAssigns().size(), 2u);  // one runs, one waits in w1's queue
  ASSERT_EQ(run_.queued.size(), 1u);
  int queued = *run_.queued.begin();
  Worker("w2", 1);  // free now
  dispatcher_.Dispatch();
  EXPECT_EQ(output_.Count([](const v1::CoordinatorMessage& m) { return m.has_revoke(); }), 0);
  clock_.Advance(std::chrono::seconds(1));
  ASSERT_EQ(output_.Count([](const v1::CoordinatorMessage& m) { return m.has_revoke(); }), 1);
  EXPECT_TRUE(run_.runs[queued].revoking);
  dispatcher_.RevokeAllQueued();  // once is enough
  EXPECT_EQ(output_.Count([](const v1::CoordinatorMessage& m) { return m.has_revoke(); }), 1);
}

TEST_F(DispatcherTest, NothingStartsWhileHalted) {
  Plan({""});
  Worker("w1", 1);
  run_.halted = true;
  dispatcher_.Dispatch();
  EXPECT_TRUE(output_.sent.empty());
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_READY);
}

// A worker advertises the agent CLIs it has (agent.codex=0.171.0): an agent card goes only
// where its CLI is, and waits, saying why, where none is; a CLI too old is named.
TEST_F(DispatcherTest, AnAgentCardIsPlacedOnlyWhereItsCliIs) {
  Plan({"**Agent Type**: `codex`\n"});
  Worker("w1", 1).labels = {{"agent.claude", "2.1.332"}, {"agent.codex.refused", "0.120.0 < 0.147.0"}};
  dispatcher_.Dispatch();
  EXPECT_TRUE(output_.TakeAssigns().empty());
  EXPECT_EQ(State(0), v1::WORKSTREAM_STATE_READY);
  EXPECT_NE(run_.runs[0].waiting.find("no worker has the labels agent.codex"), std::string::npos)
      << run_.runs[0].waiting;
  EXPECT_NE(run_.runs[0].waiting.find("w1 has agent.codex 0.120.0 < 0.147.0"), std::string::npos)
      << run_.runs[0].waiting;
  Worker("w2", 1).labels = {{"agent.codex", "0.171.0"}};
  dispatcher_.Dispatch();
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].first, "w2");
}

TEST_F(DispatcherTest, AFirstAttemptResumesNothing) {
  Plan({""});
  Worker("w1", 1);
  dispatcher_.Dispatch();
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_TRUE(assigns[0].second.resume_session().empty());
  EXPECT_FALSE(assigns[0].second.has_resume_baseline());
}

TEST_F(DispatcherTest, ARetryCarriesThePreviousFailureAndTheLogTail) {
  Plan({""});
  Worker("w1", 1);
  run_.runs[0].row.attempts = 1;
  run_.runs[0].row.message = "retrying after: step 1 failed";
  run_.runs[0].mutable_facts().failure_tail = "error: boom";
  dispatcher_.Dispatch();
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  EXPECT_EQ(assigns[0].second.attempt_number(), 2u);
  EXPECT_NE(assigns[0].second.previous_failure().find("step 1 failed"), std::string::npos);
  EXPECT_NE(assigns[0].second.previous_failure().find("error: boom"), std::string::npos);
}

// codex reports a resumed thread's running totals: the retry is told what the session had
// reported before (every earlier attempt of it, not those of another session).
TEST_F(DispatcherTest, AResumedRetryCarriesWhatItsSessionReportedBefore) {
  Plan({""});
  Worker("w1", 1);
  WorkstreamRun& run = run_.runs[0];
  auto report = [](const std::string& session, uint64_t input, uint64_t output, double cost) {
    v1::AgentReport agent;
    agent.set_agent_type("codex");
    agent.set_session_id(session);
    agent.set_input_tokens(input);
    agent.set_output_tokens(output);
    agent.set_cost_usd(cost);
    return agent;
  };
  run.attempt_ids = {"WS-01-a1-x", "WS-01-a2-y", "WS-01-a3-z"};
  run.agent_reports["WS-01-a1-x"] = report("other", 5000, 500, 0.5);
  run.agent_reports["WS-01-a2-y"] = report("thread-1", 3000, 150, 0.01);
  run.agent_reports["WS-01-a3-z"] = report("thread-1", 4000, 200, 0.02);
  run.mutable_facts().agent = run.agent_reports["WS-01-a3-z"];
  run.row.attempts = 3;
  run.row.message = "retrying after: test 1 failed";
  dispatcher_.Dispatch();
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  const v1::AttemptSpec& spec = assigns[0].second;
  EXPECT_EQ(spec.resume_session(), "thread-1");
  EXPECT_EQ(spec.resume_baseline().input_tokens(), 7000u);
  EXPECT_EQ(spec.resume_baseline().output_tokens(), 350u);
  EXPECT_NEAR(spec.resume_baseline().cost_usd(), 0.03, 1e-12);
}

}  // namespace
}  // namespace wsfleet::coordinator
