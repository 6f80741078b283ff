// The plan budget alone: each attempt's latest report counts once, and going past the
// limit is said once.

#include "coordinator/plan_budget.h"

#include <gtest/gtest.h>

namespace wsfleet::coordinator {
namespace {

v1::AgentReport Report(uint64_t turns, uint64_t input, uint64_t output, double cost) {
  v1::AgentReport report;
  report.set_turns(turns);
  report.set_input_tokens(input);
  report.set_output_tokens(output);
  report.set_cost_usd(cost);
  return report;
}

TEST(PlanBudgetTest, EachAttemptsLatestReportIsCountedOnce) {
  PlanBudget budget(std::nullopt);
  EXPECT_EQ(budget.Record("a1", Report(1, 100, 10, 0.5)), std::nullopt);
  budget.Record("a1", Report(3, 300, 30, 1.5));  // totals so far, not increments
  budget.Record("a2", Report(1, 50, 5, 0.25));
  EXPECT_EQ(budget.spent().turns(), 4u);
  EXPECT_EQ(budget.spent().input_tokens(), 350u);
  EXPECT_EQ(budget.spent().output_tokens(), 35u);
  EXPECT_DOUBLE_EQ(budget.spent().cost_usd(), 1.75);
  budget.Reset();
  EXPECT_EQ(budget.spent().turns(), 0u);
}

TEST(PlanBudgetTest, GoingPastTheLimitIsSaidOnceAndKept) {
  common::Workstream::Budget limit;
  limit.tokens = 1000;
  PlanBudget budget(limit);
  EXPECT_EQ(budget.Record("a1", Report(1, 900, 100, 0)), std::nullopt) << "at the limit is within it";
  EXPECT_EQ(budget.Record("a2", Report(1, 1, 0, 0)), "1001 tokens > plan budget 1000");
  EXPECT_EQ(budget.Record("a2", Report(2, 500, 0, 0)), std::nullopt) << "said once";
  EXPECT_EQ(budget.stop_reason(), "1001 tokens > plan budget 1000");
}

TEST(PlanBudgetTest, TurnsAndDollarsAreLimitsToo) {
  common::Workstream::Budget turns;
  turns.turns = 2;
  PlanBudget by_turns(turns);
  EXPECT_EQ(by_turns.Record("a1", Report(3, 0, 0, 0)), "3 turns > plan budget 2");
  common::Workstream::Budget dollars;
  dollars.dollars = 1;
  PlanBudget by_dollars(dollars);
  EXPECT_EQ(by_dollars.Record("a1", Report(0, 0, 0, 1.25)), "$1.25 > plan budget $1.00");
}

}  // namespace
}  // namespace wsfleet::coordinator
