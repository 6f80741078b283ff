// The plan budget: every attempt's agent spend summed; past the budget, running agents are
// stopped, nothing more starts, and the reason is on each workstream.

#include "tests/unit/coordinator/scheduler_test_base.h"

namespace wsfleet::coordinator {
namespace {

class SchedulerBudgetTest : public SchedulerTest {
 protected:
  SchedulerBudgetTest() {
    common::Workstream::Budget budget;
    budget.tokens = 3000;
    options_.plan_budget = budget;
    Restart();
  }
  static v1::Event Agent(const std::string& attempt, uint64_t seq, uint64_t input, uint64_t output) {
    v1::Event event;
    event.set_attempt_id(attempt);
    event.set_seq(seq);
    event.mutable_agent()->set_agent_type("claude");
    event.mutable_agent()->set_input_tokens(input);
    event.mutable_agent()->set_output_tokens(output);
    return event;
  }
};

TEST_F(SchedulerBudgetTest, PastThePlanBudgetRunningAgentsStopAndNothingMoreStarts) {
  Submit({Card(1, "None"), Card(2, "None"), Card(3, "WS-01")});
  Hello("w1", 2);
  auto assigns = output_.TakeAssigns();
  ASSERT_EQ(assigns.size(), 2u);
  const std::string a = assigns[0].second.attempt_id(), b = assigns[1].second.attempt_id();
  // Totals per attempt: a later report replaces an earlier one, it does not add to it.
  Report("w1", {Started(a), Agent(a, 2, 1000, 100), Agent(a, 3, 1800, 200)});
  EXPECT_EQ(scheduler_->plan_spent().input_tokens(), 1800u);
  EXPECT_TRUE(output_.sent.empty() || !output_.sent.back().second.has_cancel());
  Report("w1", {Started(b), Agent(b, 2, 900, 200)});  // 3100 in all
  int cancels = output_.Count([](const v1::CoordinatorMessage& m) { return m.has_cancel(); });
  EXPECT_EQ(cancels, 2) << "both running agents are stopped";
  EXPECT_EQ(State("WS-03"), v1::WORKSTREAM_STATE_CANCELLED);
  EXPECT_EQ(Message("WS-03"), "the plan's budget is spent: 3100 tokens > plan budget 3000");
  Report("w1", {Finished(a, 4, v1::ATTEMPT_OUTCOME_CANCELLED), Finished(b, 3, v1::ATTEMPT_OUTCOME_CANCELLED)});
  EXPECT_EQ(State("WS-01"), v1::WORKSTREAM_STATE_CANCELLED);
  EXPECT_EQ(Message("WS-01"), "the plan's budget is spent: 3100 tokens > plan budget 3000");
  EXPECT_TRUE(scheduler_->Done());
  // A restarted coordinator knows what was spent.
  Restart();
  ASSERT_TRUE(scheduler_->Recover().ok());
  EXPECT_EQ(scheduler_->plan_spent().input_tokens() + scheduler_->plan_spent().output_tokens(), 3100u);
}

}  // namespace
}  // namespace wsfleet::coordinator
