#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/run_reader.h"
#include "coordinator/state_paths.h"
#include "wsfleet/v1/control.pb.h"

namespace wsfleet::coordinator {

// What the run report is rendered from, owned: taken on the loop when the run is done,
// rendered off it (the loop goes on meanwhile).
struct ReportSnapshot {
  v1::RunStatus status;
  std::vector<std::map<std::string, double>> metrics;  // per workstream, in status order
  std::vector<std::string> critical_path;               // workstream IDs, first to last
  PlanPaths paths;                                     // where the summaries are

  static ReportSnapshot Of(const RunReader& run, PlanPaths paths);
};

// report.md: the result, wall time, critical path and one table row per workstream.
std::string RenderReportMarkdown(const ReportSnapshot& report);
// report.json: the same for programs, in run_json's vocabulary (short state names, Unix ms).
std::string RenderReportJson(const ReportSnapshot& report);

}  // namespace wsfleet::coordinator
