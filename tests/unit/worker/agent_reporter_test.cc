// The agent reporter on a fake clock: reports at most once a second while the agent runs,
// its wall time from the clock, and the budget stop said once.

#include "worker/agent_reporter.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace wsfleet::worker {
namespace {

using namespace std::chrono_literals;

// One claude stream-json result line with these totals.
std::string Result(int turns, double cost) {
  return R"({"type":"result","subtype":"success","is_error":false,"num_turns":)" + std::to_string(turns) +
         R"(,"session_id":"s1","total_cost_usd":)" + std::to_string(cost) + "}\n";
}

class AgentReporterTest : public ::testing::Test {
 protected:
  AgentReporter Make(AgentBudget budget = {}) {
    return AgentReporter("claude", AgentFormat::kClaude, budget,
                         [this](v1::Event event) { reports_.push_back(event.agent()); },
                         [this](const std::string& why) { stops_.push_back(why); }, {}, clock_);
  }
  testing::FakeClock clock_;
  std::vector<v1::AgentReport> reports_;
  std::vector<std::string> stops_;
};

TEST_F(AgentReporterTest, ReportsAtMostOnceASecondThenTheFinalTotals) {
  AgentReporter reporter = Make();
  reporter.OnStdout(Result(1, 0.1));
  reporter.OnStdout(Result(2, 0.2));  // within the second: held
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_EQ(reports_[0].turns(), 1u);
  clock_.Advance(1s);
  reporter.OnStdout(Result(3, 0.3));
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].turns(), 3u);
  EXPECT_DOUBLE_EQ(reports_[1].wall_seconds(), 1.0);
  clock_.Advance(250ms);
  reporter.Finish();
  ASSERT_EQ(reports_.size(), 3u);
  EXPECT_DOUBLE_EQ(reports_[2].wall_seconds(), 1.25) << "the clock's time, not the system's";
  EXPECT_TRUE(stops_.empty());
}

TEST_F(AgentReporterTest, PassingTheBudgetIsReportedThenSaidOnce) {
  AgentBudget budget;
  budget.turns = 2;
  AgentReporter reporter = Make(budget);
  reporter.OnStdout(Result(1, 0));
  reporter.OnStdout(Result(3, 0));  // within the second, but the totals that break it go out
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_EQ(reports_[1].turns(), 3u);
  ASSERT_EQ(stops_, std::vector<std::string>{"3 turns > budget 2"});
  reporter.OnStdout(Result(4, 0));
  EXPECT_EQ(stops_.size(), 1u);
  EXPECT_EQ(reporter.budget_stop(), "3 turns > budget 2");
}

}  // namespace
}  // namespace wsfleet::worker
