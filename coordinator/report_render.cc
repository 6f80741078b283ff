#include "coordinator/report_render.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "coordinator/run_json.h"
#include "coordinator/summary_render.h"
#include "coordinator/verification_view.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {
namespace {

// From the first start to the last end, in Unix ms (0 when nothing started).
std::pair<int64_t, int64_t> Span(const v1::RunStatus& status) {
  int64_t first_start = 0, last_end = 0;
  for (const v1::WorkstreamStatus& ws : status.workstreams()) {
    if (ws.started_unix_ms() > 0 && (first_start == 0 || ws.started_unix_ms() < first_start)) {
      first_start = ws.started_unix_ms();
    }
    last_end = std::max(last_end, ws.finished_unix_ms());
  }
  return {first_start, last_end};
}

}  // namespace

ReportSnapshot ReportSnapshot::Of(const RunReader& run, PlanPaths paths) {
  ReportSnapshot report{run.Status(), {}, {}, std::move(paths)};
  AddVerification(run, report.status);
  for (int i = 0; i < report.status.workstreams_size(); ++i) report.metrics.push_back(run.ViewOf(i).facts.metrics);
  const common::Plan& plan = *run.plan();
  for (int index : plan.analysis.critical_path.chain) {
    report.critical_path.push_back(plan.workstreams[index].id.ToString());
  }
  return report;
}

std::string RenderReportMarkdown(const ReportSnapshot& report) {
  const v1::RunStatus& status = report.status;
  std::string table = "| ID | Name | State | Attempts | Worker | Duration | Tests | Result |\n"
                      "|---|---|---|---|---|---|---|---|\n";
  for (const v1::WorkstreamStatus& ws : status.workstreams()) {
    std::string tests = std::to_string(ws.tests().passed()) + "/" +
                        std::to_string(ws.tests().passed() + ws.tests().failed());
    table += "| " + ws.id() + " | " + ws.name() + " | " + rpc::StateName(ws.state()) + " | " +
             std::to_string(ws.attempts()) + " | " + (ws.worker_id().empty() ? "-" : ws.worker_id()) +
             " | " + ElapsedText(ws.started_unix_ms(), ws.finished_unix_ms()) + " | " + tests + " | " +
             ws.message() + " |\n";
  }
  std::string chain;
  for (const std::string& id : report.critical_path) chain += (chain.empty() ? "" : " → ") + id;
  auto [first_start, last_end] = Span(status);
  std::string markdown = "# Run report: plan " + status.plan_id() + "\n\n";
  markdown += std::string("**Result**: ") +
              (status.succeeded() ? "✅ every workstream succeeded or was skipped"
                                  : "❌ not every workstream succeeded") + "\n";
  markdown += "**Wall time**: " + ElapsedText(first_start, last_end) + "\n";
  markdown += "**Critical path**: " + chain + "\n\n";
  markdown += table;
  markdown += "\nSummaries: `" + report.paths.root + "/summaries/<WS-ID>-COMPLETION_SUMMARY.md`\n";
  return markdown;
}

std::string RenderReportJson(const ReportSnapshot& report) {
  const v1::RunStatus& status = report.status;
  nlohmann::ordered_json json;
  json["plan_id"] = status.plan_id();
  json["done"] = status.done();
  json["succeeded"] = status.succeeded();
  json["workstreams"] = nlohmann::ordered_json::array();
  std::map<std::string, int> counts;
  for (int i = 0; i < status.workstreams_size(); ++i) {
    const v1::WorkstreamStatus& ws = status.workstreams(i);
    ++counts[rpc::StateName(ws.state())];
    nlohmann::ordered_json entry = WorkstreamJson(ws);
    entry["summary"] = report.paths.Summary(ws.id());
    entry["metrics"] = report.metrics[i];
    json["workstreams"].push_back(entry);
  }
  json["counts"] = counts;
  json["agents_spent"] = AgentJson(status.agents_spent());
  if (!status.plan_budget_stop().empty()) json["plan_budget_stop"] = status.plan_budget_stop();
  auto [first_start, last_end] = Span(status);
  json["wall_seconds"] =
      last_end > first_start && first_start > 0 ? static_cast<double>(last_end - first_start) / 1000.0 : 0.0;
  return json.dump(2) + "\n";
}

}  // namespace wsfleet::coordinator
