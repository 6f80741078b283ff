// The run report from an owned snapshot: what report.md and report.json say, with no
// scheduler behind them (they render on the file writer's thread).

#include "coordinator/report_render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wsfleet::coordinator {
namespace {

ReportSnapshot Snapshot() {
  ReportSnapshot report;
  report.status.set_plan_id("plan-1");
  report.status.set_done(true);
  report.status.set_succeeded(false);
  v1::WorkstreamStatus& first = *report.status.add_workstreams();
  first.set_id("WS-01");
  first.set_name("Kernels");
  first.set_state(v1::WORKSTREAM_STATE_SUCCEEDED);
  first.set_attempts(1);
  first.set_worker_id("w1");
  first.set_started_unix_ms(1'800'000'000'000);
  first.set_finished_unix_ms(1'800'000'012'500);
  first.mutable_tests()->set_passed(3);
  first.mutable_tests()->set_failed(1);
  v1::WorkstreamStatus& second = *report.status.add_workstreams();
  second.set_id("WS-02");
  second.set_name("Bench");
  second.set_state(v1::WORKSTREAM_STATE_FAILED);
  second.set_message("step 1 failed");
  second.set_started_unix_ms(1'800'000'010'000);
  second.set_finished_unix_ms(1'800'000'020'000);
  report.metrics = {{{"gbps", 12.5}}, {}};
  report.critical_path = {"WS-01", "WS-02"};
  report.paths.root = "/state";
  return report;
}

TEST(ReportRenderTest, MarkdownSaysTheResultTheSpanAndEveryWorkstream) {
  std::string markdown = RenderReportMarkdown(Snapshot());
  EXPECT_NE(markdown.find("# Run report: plan plan-1"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("❌ not every workstream succeeded"), std::string::npos);
  EXPECT_NE(markdown.find("**Wall time**: 20.0 s"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("**Critical path**: WS-01 → WS-02"), std::string::npos);
  EXPECT_NE(markdown.find("| WS-01 | Kernels | SUCCEEDED | 1 | w1 | 12.5 s | 3/4 |  |"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| WS-02 | Bench | FAILED | 0 | - | 10.0 s | 0/0 | step 1 failed |"), std::string::npos);
  EXPECT_NE(markdown.find("`/state/summaries/<WS-ID>-COMPLETION_SUMMARY.md`"), std::string::npos);
}

TEST(ReportRenderTest, JsonUsesShortStatesNumbersAndCounts) {
  nlohmann::json json = nlohmann::json::parse(RenderReportJson(Snapshot()));
  EXPECT_EQ(json["plan_id"], "plan-1");
  EXPECT_EQ(json["succeeded"], false);
  EXPECT_EQ(json["workstreams"][0]["state"], "SUCCEEDED");
  EXPECT_EQ(json["workstreams"][0]["metrics"]["gbps"], 12.5);
  EXPECT_EQ(json["workstreams"][0]["summary"], "/state/summaries/WS-01-COMPLETION_SUMMARY.md");
  EXPECT_EQ(json["workstreams"][1]["finished_unix_ms"], 1'800'000'020'000);
  EXPECT_EQ(json["counts"]["FAILED"], 1);
  EXPECT_EQ(json["counts"]["SUCCEEDED"], 1);
  EXPECT_DOUBLE_EQ(json["wall_seconds"].get<double>(), 20.0);
}

}  // namespace
}  // namespace wsfleet::coordinator
