// What a worker is sent for one attempt, built from a parsed card and nothing else.

#include "coordinator/attempt_spec.h"

#include <gtest/gtest.h>

#include "common/plan_loader.h"

namespace wsfleet::coordinator {
namespace {

common::Plan Parse(const std::string& text) {
  common::Plan plan = common::AssemblePlan({{"cards/ws7.md", text}});
  EXPECT_TRUE(plan.ok());
  return plan;
}

TEST(AttemptSpecTest, CarriesTheCardsStepsInOrderWithTheirPhasesAndPlaces) {
  common::Plan plan = Parse(
      "# WS-07: Kernels\n\n**Timeout**: 2h\n**Hang timeout**: 10m\n**Budget**: 1h, 50 turns, 2M tokens, $5\n\n"
      "## Deliverables\n- `out/a.bin`\n\n"
      "## Test Commands\n```bash\nmake test\n```\n```sh\n./check\n```\n"
      "## Verification Steps\n```bash\ntest -f out/a.bin\n```\n");
  AttemptRow attempt;
  attempt.attempt_id = "WS-07-a2-00000001";
  attempt.workstream_id = "WS-07";
  attempt.number = 2;
  attempt.rank = 1;
  attempt.gpus = {0, 3};
  AttemptSpecInputs inputs;
  inputs.plan_id = "p-1";
  inputs.prompt = "do it";
  inputs.node_addrs = {"n0", "n1"};
  inputs.resume_session = "s-9";
  inputs.previous_failure = "test 1 failed";
  inputs.write_back = true;
  v1::AttemptSpec spec = BuildAttemptSpec(plan.workstreams[0], attempt, inputs);
  EXPECT_EQ(spec.attempt_id(), "WS-07-a2-00000001");
  EXPECT_EQ(spec.name(), "Kernels");
  EXPECT_EQ(spec.card_path(), "cards/ws7.md");
  EXPECT_EQ(spec.card_line(), 1u);
  EXPECT_EQ(spec.attempt_number(), 2u);
  EXPECT_EQ(spec.timeout_seconds(), 7200);
  EXPECT_EQ(spec.hang_timeout_seconds(), 600);
  ASSERT_TRUE(spec.has_budget());
  EXPECT_EQ(spec.budget().wall_seconds(), 3600);
  EXPECT_EQ(spec.budget().turns(), 50u);
  EXPECT_EQ(spec.budget().tokens(), 2000000u);
  EXPECT_DOUBLE_EQ(spec.budget().dollars(), 5);
  EXPECT_EQ(spec.node_rank(), 1u);
  EXPECT_EQ(spec.nodes(), 2u);
  EXPECT_EQ(spec.gpu_indices_size(), 2);
  EXPECT_EQ(spec.resume_session(), "s-9");
  EXPECT_TRUE(spec.write_back());
  EXPECT_TRUE(spec.log_path().empty()) << "its worker sends its output";
  ASSERT_EQ(spec.steps_size(), 3);
  EXPECT_EQ(spec.steps(0).name(), "test 1");
  EXPECT_EQ(spec.steps(0).phase(), v1::STEP_PHASE_TEST);
  EXPECT_EQ(spec.steps(1).language(), "sh");
  EXPECT_EQ(spec.steps(2).name(), "verify 1");
  EXPECT_EQ(spec.steps(2).phase(), v1::STEP_PHASE_VERIFY);
  EXPECT_EQ(spec.steps(2).script(), "test -f out/a.bin\n");
  EXPECT_EQ(spec.steps(2).file(), "cards/ws7.md");
  EXPECT_GT(spec.steps(2).line(), spec.steps(1).line());
  ASSERT_EQ(spec.deliverable_paths_size(), 1);
  EXPECT_EQ(spec.deliverable_paths(0), "out/a.bin");
}

TEST(AttemptSpecTest, ACardWithoutTimeoutOrBudgetGetsTheDefaults) {
  common::Plan plan = Parse("# WS-07: Plain\n\n## Test Commands\n```bash\ntrue\n```\n");
  AttemptRow attempt;
  attempt.attempt_id = "a";
  attempt.number = 1;
  AttemptSpecInputs inputs;
  inputs.default_step_timeout_seconds = 30;
  inputs.log_path = "/state/logs/WS-07/a.log";
  v1::AttemptSpec spec = BuildAttemptSpec(plan.workstreams[0], attempt, inputs);
  EXPECT_EQ(spec.timeout_seconds(), 30);
  EXPECT_FALSE(spec.has_budget()) << "the worker's default budget applies";
  EXPECT_EQ(spec.log_path(), "/state/logs/WS-07/a.log");
}

}  // namespace
}  // namespace wsfleet::coordinator
