// The run's shared state on its own: indexes, what is current, readiness, the counts that
// make Done() O(1), and the rows changed since they were stored.

#include "coordinator/plan_run.h"

#include <gtest/gtest.h>

#include "common/plan_loader.h"
#include "tests/support/fake_state_store.h"

namespace wsfleet::coordinator {
namespace {

AttemptRow Attempt(const std::string& id, const std::string& workstream, int number) {
  AttemptRow attempt;
  attempt.attempt_id = id;
  attempt.workstream_id = workstream;
  attempt.number = number;
  return attempt;
}

class PlanRunTest : public ::testing::Test {
 protected:
  PlanRunTest() {
    auto plan = std::make_unique<common::Plan>(common::AssemblePlan(
        {{"a.md", "# WS-01: A\n\n**Duration**: 1 day\n**Priority**: P2\n"},
         {"b.md", "# WS-02: B\n\n**Duration**: 3 days\n**Dependencies**: WS-01\n"},
         {"c.md", "# WS-03: C\n\n**Duration**: 1 day\n**Priority**: P0\n"}}));
    run_.Adopt(std::move(plan), PlanRow{"plan-1", "t", false, 0, {}, {}, {}});
    for (int i = 0; i < 3; ++i) run_.SetState(i, v1::WORKSTREAM_STATE_PENDING);
    for (int i = 0; i < 3; ++i) run_.runs[i].row.workstream_id = run_.card(i).id.ToString();
  }
  PlanRun run_;
};

TEST_F(PlanRunTest, DoneFollowsEveryStateChange) {
  EXPECT_FALSE(run_.Done());  // three open
  run_.SetState(0, v1::WORKSTREAM_STATE_RUNNING);
  run_.SetState(1, v1::WORKSTREAM_STATE_BLOCKED);
  run_.SetState(2, v1::WORKSTREAM_STATE_SUCCEEDED);
  EXPECT_FALSE(run_.Done());  // one running
  run_.halted = true;
  EXPECT_FALSE(run_.Done());  // halted, but something still runs
  run_.SetState(0, v1::WORKSTREAM_STATE_READY);
  EXPECT_TRUE(run_.Done());   // halted: what is ready will not start
  run_.halted = false;
  EXPECT_FALSE(run_.Done());
  run_.SetState(0, v1::WORKSTREAM_STATE_FAILED);
  EXPECT_TRUE(run_.Done());
  // Rows assigned wholesale (submit, recovery) are counted again.
  for (WorkstreamRun& run : run_.runs) run.row.state = v1::WORKSTREAM_STATE_PENDING;
  run_.Recount();
  EXPECT_FALSE(run_.Done());
  EXPECT_TRUE(PlanRun().Done());  // no plan: nothing to wait for
}

TEST_F(PlanRunTest, ReadyWorkIsOrderedByPriorityThenCriticalPath) {
  common::SteadyTime now{};
  run_.MakeReady(0, now);
  run_.MakeReady(2, now);
  EXPECT_EQ(run_.ready.InOrder(), (std::vector<int>{2, 0}));  // P0 before P2
  EXPECT_EQ(run_.runs[0].row.state, v1::WORKSTREAM_STATE_READY);
}

TEST_F(PlanRunTest, TheCurrentAttemptIsTheGangsFirstRank) {
  run_.runs[1].row.current_attempt = "WS-02-a1-x";
  AttemptRow first = Attempt("WS-02-a1-x", "WS-02", 1);
  AttemptRow second = Attempt("WS-02-a1r1-y", "WS-02", 1);
  second.rank = 1;
  second.gang = "WS-02-a1-x";
  AttemptRow older = Attempt("WS-02-a0-z", "WS-02", 0);
  EXPECT_TRUE(run_.IsCurrent(first));
  EXPECT_TRUE(run_.IsCurrent(second));
  EXPECT_FALSE(run_.IsCurrent(older));
  EXPECT_FALSE(run_.IsCurrent(Attempt("x", "WS-99", 1)));  // not in the plan
  EXPECT_EQ(run_.IndexOf(first), 1);
}

TEST_F(PlanRunTest, ChangedRowsAreTakenOnceAndStoredOnce) {
  testing::FakeStateStore store;
  run_.attempts["a"] = Attempt("a", "WS-01", 1);
  run_.MarkDirty(0);
  run_.MarkDirty(std::string("a"));
  run_.MarkDirty(2);
  run_.MarkClean(2);  // stored by the operation at hand
  auto [rows, attempts] = run_.TakeDirty();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].workstream_id, "WS-01");
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_FALSE(run_.CommitDirty(store));  // nothing left
  run_.MarkDirty(1);
  EXPECT_TRUE(run_.CommitDirty(store));
  EXPECT_EQ(store.commits(), 1);
}

}  // namespace
}  // namespace wsfleet::coordinator
