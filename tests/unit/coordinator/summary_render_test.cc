// A workstream's summary from a read-only view of it, with no scheduler behind it.

#include "coordinator/summary_render.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/plan_loader.h"

namespace wsfleet::coordinator {
namespace {

class SummaryRenderTest : public ::testing::Test {
 protected:
  SummaryRenderTest()
      : plan_(common::AssemblePlan({{"ws1.md",
                                     "# WS-01: Kernels\n\n**Duration**: 2 days\n\n## Deliverables\n- `out/a.bin`\n"
                                     "- `out/b.bin`\n\n## Acceptance Criteria\n- [ ] `gbps >= 10`\n"}})) {
    row_.workstream_id = "WS-01";
    row_.attempts = 1;
    row_.worker_id = "w1";
    row_.started_unix_ms = 1'800'000'000'000;
    row_.finished_unix_ms = 1'800'000'012'500;
    facts_.metrics["gbps"] = 12;
    facts_.deliverables["out/a.bin"] = true;
    facts_.deliverables["out/b.bin"] = false;
    facts_.tests.set_passed(3);
    facts_.tests.set_failed(1);
  }
  RunView View() {
    return RunView{plan_.workstreams[0], row_, facts_, nullptr, "merged 0123456789ab", {"a1"},
                   {"/s/logs/WS-01/a1.log"}, dependencies_, dependents_};
  }

  common::Plan plan_;
  WorkstreamRow row_;
  WorkstreamFacts facts_;
  std::vector<RunView::Neighbour> dependencies_;
  std::vector<RunView::Neighbour> dependents_;
};

TEST_F(SummaryRenderTest, SaysWhatTheViewHolds) {
  row_.state = v1::WORKSTREAM_STATE_SUCCEEDED;
  std::string summary = RenderSummary(View(), "p-1");
  for (const char* line : {"# WS-01: Kernels - Completion Summary\n", "**Status**: ✅ COMPLETE\n",
                           "**Completion Date**: 2027-01-15 08:00:12Z\n",
                           "**Duration**: 12.5 s (estimated: 2 days)\n", "**Merge**: merged 0123456789ab\n",
                           "   - `out/a.bin`: ✅ found\n", "   - `out/b.bin`: ❌ missing\n",
                           "- Tests: 3 passed, 1 failed, 0 skipped\n", "- attempt 1: `/s/logs/WS-01/a1.log`\n",
                           "Written by wsfleet from plan p-1.\n"}) {
    EXPECT_NE(summary.find(line), std::string::npos) << line << "\nin\n" << summary;
  }
  EXPECT_NE(summary.find("✅ PASS"), std::string::npos) << summary;
}

TEST_F(SummaryRenderTest, OutputOverTheCapIsShown) {
  row_.state = v1::WORKSTREAM_STATE_SUCCEEDED;
  EXPECT_EQ(RenderSummary(View(), "p-1").find("**Output**"), std::string::npos);  // none dropped
  facts_.output_dropped_bytes = 3 << 20;
  EXPECT_NE(RenderSummary(View(), "p-1").find("**Output**: 3.0 MiB over the cap dropped (each step kept its start and "
                                              "its last MiB; see the log)\n"),
            std::string::npos)
      << RenderSummary(View(), "p-1");
}

// The seed template's sections: lines of what was delivered, coverage and the code's
// size, the blockers it waited for, what it unblocked and what may proceed now.
TEST_F(SummaryRenderTest, FollowsTheSeedTemplatesSections) {
  row_.state = v1::WORKSTREAM_STATE_SUCCEEDED;
  facts_.deliverable_lines["out/a.bin"] = 120;
  facts_.metrics["coverage_line_percent"] = 86.5;
  facts_.metrics["coverage_branch_percent"] = 71;
  dependencies_ = {{"WS-00", "Toolchain", v1::WORKSTREAM_STATE_SUCCEEDED, "merged 89abcdef0123", {}},
                   {"WS-07", "Corpus", v1::WORKSTREAM_STATE_SKIPPED, "", {}}};
  dependents_ = {{"WS-02", "Report", v1::WORKSTREAM_STATE_READY, "", {}},
                 {"WS-03", "Release", v1::WORKSTREAM_STATE_PENDING, "", {"WS-05"}}};
  std::string summary = RenderSummary(View(), "p-1");
  for (const char* line : {"   - `out/a.bin`: ✅ found (120 lines)\n",
                           "- Coverage: 86.5% of lines, 71% of branches\n",
                           "## Code Quality Metrics\n- Lines in the deliverables: 120\n- Test coverage: 86.5%\n"
                           "- Code review: not verified by wsfleet (review by hand)\n",
                           "## Blockers Resolved\n- WS-00 (Toolchain): ✅ SUCCEEDED, merged 89abcdef0123\n"
                           "- WS-07 (Corpus): ✅ SKIPPED (already complete)\n",
                           "## Integration Status\n- Blocks WS-02 (Report): ✅ unblocked\n"
                           "- Blocks WS-03 (Release): still waits for WS-05\n",
                           "## Next Steps\n- WS-02 can now proceed\n"}) {
    EXPECT_NE(summary.find(line), std::string::npos) << line << "\nin\n" << summary;
  }
}

TEST_F(SummaryRenderTest, AWorkstreamThatFailedUnblocksNothing) {
  row_.state = v1::WORKSTREAM_STATE_FAILED;
  dependents_ = {{"WS-02", "Report", v1::WORKSTREAM_STATE_BLOCKED, "", {"WS-01"}}};
  std::string summary = RenderSummary(View(), "p-1");
  EXPECT_NE(summary.find("- Blocks WS-02 (Report): ⛔ BLOCKED\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("## Next Steps\n- Fix WS-01 and `wsfleet retry WS-01`: WS-02 waits for it\n"), std::string::npos)
      << summary;
}

// A whole card in the seed format, rendered with fixed facts, against the summary it must
// give (tests/data/summaries/). WSFLEET_UPDATE_GOLDEN=1 writes the file anew.
TEST(SummaryGoldenTest, ASeedCardsSummary) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(WSFLEET_TEST_DATA_DIR) / "summaries";
  std::ifstream card_in(dir / "ws-12.md");
  std::stringstream card;
  card << card_in.rdbuf();
  common::Plan plan = common::AssemblePlan({{"ws-12.md", card.str()},
                                            {"ws-10.md", "# WS-10: Toolchain\n\n**Duration**: 1 day\n"},
                                            {"ws-11.md", "# WS-11: Drivers\n\n**Duration**: 1 day\n"}});
  ASSERT_TRUE(plan.ok());
  const common::Workstream& ws = plan.workstreams[*plan.IndexOf("WS-12")];
  WorkstreamRow row;
  row.workstream_id = "WS-12";
  row.state = v1::WORKSTREAM_STATE_SUCCEEDED;
  row.attempts = 2;
  row.worker_id = "dgx-spark-1";
  row.started_unix_ms = 1'800'000'000'000;
  row.finished_unix_ms = 1'800'000'754'000;
  WorkstreamFacts facts;
  facts.tests.set_passed(14);
  facts.unit_tests.set_passed(10);  // their steps said which they were
  facts.integration_tests.set_passed(4);
  facts.metrics = {{"gemm_cases", 2},          {"gemm_fp16_tflops", 431.5},     {"launch_latency_us", 12},
                   {"coverage_line_percent", 83.2}, {"coverage_branch_percent", 64}};
  facts.deliverables = {{"bench/gemm.cu", true}, {"docs/gemm.md", true}, {"out/gemm.csv", true}};
  facts.deliverable_lines = {{"bench/gemm.cu", 212}, {"docs/gemm.md", 48}, {"out/gemm.csv", 7}};
  std::vector<RunView::Neighbour> dependencies = {
      {"WS-10", "Toolchain", v1::WORKSTREAM_STATE_SUCCEEDED, "merged 0123456789ab", {}},
      {"WS-11", "Drivers", v1::WORKSTREAM_STATE_SKIPPED, "", {}}};
  std::vector<RunView::Neighbour> dependents = {
      {"WS-13", "NCCL Benchmarks", v1::WORKSTREAM_STATE_READY, "", {}},
      {"WS-20", "Release", v1::WORKSTREAM_STATE_PENDING, "", {"WS-19"}}};
  std::string summary = RenderSummary(RunView{ws, row, facts, nullptr, "merged 89abcdef0123", {"WS-12-a1-x", "WS-12-a2-y"},
                                              {"/state/logs/WS-12/WS-12-a1-x.log", "/state/logs/WS-12/WS-12-a2-y.log"},
                                              dependencies, dependents},
                                      "plan-7");
  fs::path golden = dir / "ws-12.summary.md";
  if (const char* update = std::getenv("WSFLEET_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(golden) << summary;
  }
  std::ifstream golden_in(golden);
  std::stringstream expected;
  expected << golden_in.rdbuf();
  EXPECT_EQ(summary, expected.str()) << "WSFLEET_UPDATE_GOLDEN=1 rewrites " << golden;
}

TEST_F(SummaryRenderTest, WhatStillRunsIsInProgress) {
  row_.state = v1::WORKSTREAM_STATE_RUNNING;
  EXPECT_NE(RenderSummary(View(), "p-1").find("**Status**: IN PROGRESS\n"), std::string::npos);
}

TEST_F(SummaryRenderTest, DeliverablesAreShownAsCheckedWhenACriterionFailedTheWorkstream) {
  row_.state = v1::WORKSTREAM_STATE_FAILED;
  std::string summary = RenderSummary(View(), "p-1");
  EXPECT_NE(summary.find("   - `out/a.bin`: ✅ found\n"), std::string::npos) << summary;
  EXPECT_NE(summary.find("   - `out/b.bin`: ❌ missing\n"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("not checked"), std::string::npos) << summary;
}

TEST_F(SummaryRenderTest, UncheckedDeliverablesSaySo) {
  row_.state = v1::WORKSTREAM_STATE_FAILED;  // its steps failed: nothing was checked
  facts_.deliverables.clear();
  std::string summary = RenderSummary(View(), "p-1");
  EXPECT_NE(summary.find("   - `out/a.bin`: not checked (the attempt did not get that far)\n"), std::string::npos)
      << summary;
}

TEST_F(SummaryRenderTest, WhatNeverCompletedHasNoCompletionDate) {
  for (v1::WorkstreamState state : {v1::WORKSTREAM_STATE_BLOCKED, v1::WORKSTREAM_STATE_CANCELLED}) {
    row_.state = state;
    std::string summary = RenderSummary(View(), "p-1");
    EXPECT_NE(summary.find("**Completion Date**: -\n"), std::string::npos) << summary;
  }
  row_.state = v1::WORKSTREAM_STATE_FAILED;  // it ended: when is worth knowing
  EXPECT_NE(RenderSummary(View(), "p-1").find("**Completion Date**: 2027-01-15 08:00:12Z\n"), std::string::npos);
}

}  // namespace
}  // namespace wsfleet::coordinator
