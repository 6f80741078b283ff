// Several plans on one fleet: weighted fair share, quotas, one transaction for what a
// batch changes in several plans, choosing the plan a command means, recovery, retiring.

#include <map>

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

using namespace std::chrono_literals;

class SchedulerPlansTest : public SchedulerTest {
 protected:
  std::string SubmitPlan(const std::string& name, int cards, PlanLimits limits = {}, const std::string& extra = "") {
    std::vector<common::SourceFile> files;
    for (int i = 1; i <= cards; ++i) files.push_back(Card(i, "None", extra));
    auto result = scheduler_->Submit(files, name, false, limits);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->plan_id : "";
  }

  // Assigns sent since the last call, counted by plan.
  std::map<std::string, int> AssignsByPlan(std::vector<std::pair<std::string, v1::AttemptSpec>>* taken = nullptr) {
    std::map<std::string, int> count;
    auto assigns = output_.TakeAssigns();
    for (const auto& [worker, spec] : assigns) ++count[spec.plan_id()];
    if (taken != nullptr) *taken = std::move(assigns);
    return count;
  }

  v1::WorkstreamStatus Of(const std::string& plan_id, const std::string& workstream) {
    v1::RunStatus status = scheduler_->Plan(plan_id)->Status();
    for (const auto& ws : status.workstreams()) {
      if (ws.id() == workstream) return ws;
    }
    ADD_FAILURE() << "no " << workstream << " in " << plan_id;
    return {};
  }
};

TEST_F(SchedulerPlansTest, PlansShareTheSlotsByTheirWeights) {
  std::string a = SubmitPlan("a", 12, {1, 0, 0});
  std::string b = SubmitPlan("b", 12, {2, 0, 0});
  std::string c = SubmitPlan("c", 12, {3, 0, 0});
  Hello("w1", 6);
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns;
  std::map<std::string, int> first = AssignsByPlan(&assigns);
  EXPECT_EQ(first[a], 1);
  EXPECT_EQ(first[b], 2);
  EXPECT_EQ(first[c], 3);
  // A slot of the plan of share 3 frees: it is still the one furthest below its share.
  for (const auto& [worker, spec] : assigns) {
    if (spec.plan_id() == c) {
      Complete(worker, spec.attempt_id());
      break;
    }
  }
  std::map<std::string, int> next = AssignsByPlan();
  EXPECT_EQ(next, (std::map<std::string, int>{{c, 1}}));
  // One of a's frees: a takes it back.
  for (const auto& [worker, spec] : assigns) {
    if (spec.plan_id() == a) Complete(worker, spec.attempt_id());
  }
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{a, 1}}));
}

TEST_F(SchedulerPlansTest, APlanAloneUsesTheWholeFleetWhateverItsShare) {
  std::string small = SubmitPlan("small", 8, {1, 0, 0});
  Hello("w1", 4);
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{small, 4}}));
}

TEST_F(SchedulerPlansTest, WhatABatchEndsInSeveralPlansIsStoredInOneTransaction) {
  std::string a = SubmitPlan("a", 2);
  std::string b = SubmitPlan("b", 2);
  Hello("w1", 2);
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns;
  ASSERT_EQ(AssignsByPlan(&assigns), (std::map<std::string, int>{{a, 1}, {b, 1}}));
  std::vector<v1::Event> events;
  for (const auto& [worker, spec] : assigns) {
    events.push_back(Started(spec.attempt_id(), 1));
    events.push_back(Finished(spec.attempt_id(), 2, v1::ATTEMPT_OUTCOME_SUCCEEDED));
  }
  int before = store_->commits();
  Report("w1", events);
  EXPECT_EQ(store_->commits() - before, 1) << "the events, both ends and both next placements";
  EXPECT_EQ(scheduler_->Plan(a)->Info().succeeded_count(), 1u);
  EXPECT_EQ(scheduler_->Plan(b)->Info().succeeded_count(), 1u);
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{a, 1}, {b, 1}}));
}

TEST_F(SchedulerPlansTest, ACommandMeansTheOnlyPlanOrTheOnlyOneRunningOrSaysWhichThereAre) {
  EXPECT_EQ(scheduler_->Select("").status().message(), "no plan has been submitted");
  std::string a = SubmitPlan("a", 1);
  EXPECT_EQ(*scheduler_->Select(""), scheduler_->Plan(a));
  std::string b = SubmitPlan("b", 1);
  absl::StatusOr<PlanScheduler*> which = scheduler_->Select("");
  ASSERT_FALSE(which.ok());
  EXPECT_EQ(which.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(which.status().message(), "several plans are held here (" + a + " (running), " + b +
                                          " (running)): name one with --plan");
  EXPECT_EQ(scheduler_->Select("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*scheduler_->Select(b), scheduler_->Plan(b));
  std::string error;
  EXPECT_EQ(scheduler_->Plan(a)->Cancel("", true, &error), 1);
  EXPECT_EQ(*scheduler_->Select(""), scheduler_->Plan(b)) << "the only one still running";
  EXPECT_EQ(Of(b, "WS-01").state(), v1::WORKSTREAM_STATE_READY) << "cancelling a left b alone";
}

TEST_F(SchedulerPlansTest, APlanKeepsWithinItsGpusAndWorkers) {
  std::string gpus = SubmitPlan("gpus", 3, {1, 1, 0}, "**GPUs**: 1\n");
  Hello("big", 4, 4);
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{gpus, 1}}));
  EXPECT_EQ(Of(gpus, "WS-02").message(), "waiting: the plan holds 1 of its 1 GPUs (--max-gpus)");

  std::string narrow = SubmitPlan("narrow", 3, {1, 0, 1});
  Hello("w2", 1);
  Hello("w3", 1);
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns;
  AssignsByPlan(&assigns);
  std::set<std::string> workers;
  for (const auto& [worker, spec] : assigns) {
    if (spec.plan_id() == narrow) workers.insert(worker);
  }
  EXPECT_EQ(workers.size(), 1u) << "narrow runs on one worker at a time";
}

TEST_F(SchedulerPlansTest, ACardBeyondItsPlansQuotaFailsAfterTheGraceSayingWhy) {
  options_.lease = 1h;  // the worker stays, heartbeats or not
  Restart();
  std::string plan = SubmitPlan("p", 1, {1, 1, 0}, "**GPUs**: 2\n");
  Hello("big", 4, 4);
  EXPECT_EQ(Of(plan, "WS-01").message(), "no worker can run it yet: needs 2 GPUs; its plan may hold 1 (--max-gpus)");
  clock_.Advance(options_.infeasible_grace + 1s);
  EXPECT_EQ(Of(plan, "WS-01").state(), v1::WORKSTREAM_STATE_FAILED);
  EXPECT_EQ(Of(plan, "WS-01").message(), "cannot be placed: needs 2 GPUs; its plan may hold 1 (--max-gpus)");
}

TEST_F(SchedulerPlansTest, EveryPlanHeldComesBackAfterARestartWithItsShare) {
  std::string a = SubmitPlan("a", 2, {1, 0, 0});
  std::string b = SubmitPlan("b", 2, {3, 2, 0});
  Hello("w1", 2);
  std::vector<std::pair<std::string, v1::AttemptSpec>> assigns;
  AssignsByPlan(&assigns);
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  ASSERT_EQ(scheduler_->plans().size(), 2u);
  EXPECT_EQ(scheduler_->Plan(b)->plan_row().limits.share, 3);
  EXPECT_EQ(scheduler_->Plan(b)->plan_row().limits.max_gpus, 2u);
  std::vector<std::string> running;
  for (const auto& [worker, spec] : assigns) running.push_back(spec.attempt_id());
  Hello("w1", 2, 0, {}, running);
  EXPECT_TRUE(output_.TakeAssigns().empty()) << "both attempts adopted, no slot free";
  for (const auto& [worker, spec] : assigns) Complete(worker, spec.attempt_id());
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{a, 1}, {b, 1}}));
}

TEST_F(SchedulerPlansTest, ANewPlanRetiresThoseThatEnded) {
  std::string a = SubmitPlan("a", 1);
  Hello("w1", 1);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 1u);
  Complete("w1", assigns[0].second.attempt_id());
  ASSERT_TRUE(scheduler_->Plan(a)->Done());
  std::string b = SubmitPlan("b", 1);
  EXPECT_EQ(scheduler_->Plan(a), nullptr);
  ASSERT_NE(scheduler_->HeldOrRetired(a), nullptr) << "kept a while for its report";
  EXPECT_TRUE(scheduler_->HeldOrRetired(a)->Done());
  EXPECT_EQ(store_->held_plans(), (std::vector<std::string>{b}));
  EXPECT_EQ(scheduler_->counters().attempts_started, 2u) << "a's attempt still counted";
}

TEST_F(SchedulerPlansTest, APlanWhoseFirstCardsCannotBePlacedNowStillGetsItsShare) {
  std::vector<common::SourceFile> cards;
  for (int i = 1; i <= 3; ++i) cards.push_back(Card(i, "None", "**Labels**: pool=special\n**Priority**: P0\n"));
  for (int i = 4; i <= 9; ++i) cards.push_back(Card(i, "None"));
  auto first = scheduler_->Submit(cards, "special-first", false, {1, 0, 0});
  ASSERT_TRUE(first.ok());
  std::string plain = SubmitPlan("plain", 6);
  Hello("special", 1, 0, {{"pool", "special"}});  // the first special card takes it; two wait
  EXPECT_EQ(AssignsByPlan(), (std::map<std::string, int>{{first->plan_id, 1}}));
  Hello("w1", 4);
  // 5 slots: each plan ends with 2 or 3 of them, the special cards passed over in its turns.
  std::map<std::string, int> placed = AssignsByPlan();
  EXPECT_EQ(placed[first->plan_id], 2) << "two plain cards after its waiting special ones";
  EXPECT_EQ(placed[plain], 2);
  EXPECT_EQ(Of(first->plan_id, "WS-02").state(), v1::WORKSTREAM_STATE_READY);
  EXPECT_EQ(Of(first->plan_id, "WS-06").state(), v1::WORKSTREAM_STATE_READY);
}

}  // namespace
}  // namespace wsfleet::coordinator
