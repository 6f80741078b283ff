#pragma once

#include <vector>

#include "common/diagnostic.h"
#include "common/workstream.h"

// The dependency graph of a plan and what follows from it: cycles, topological levels,
// the critical path. Workstreams are referred to by their index in the plan's vector.
namespace wsfleet::common {

struct PlanGraph {
  std::vector<std::vector<int>> dependencies;  // resolved edges, for each workstream
  std::vector<std::vector<int>> dependents;
};

struct CriticalPath {
  std::vector<int> chain;  // first to run first
  double days_min = 0;     // the chain's total by minimum estimates
  double days_max = 0;     // the chain's total by maximum estimates (what picks the chain)
};

struct PlanAnalysis {
  bool acyclic = false;
  std::vector<std::vector<int>> levels;  // level 0 has no dependencies
  std::vector<int> level_of;
  CriticalPath critical_path;
  DayRange makespan;  // with unlimited parallelism, completed workstreams counting zero
  std::vector<bool> on_critical_path;
  // Longest chain from each workstream to the end of the plan, itself included, by
  // maximum estimates: what the scheduler ranks ready work by.
  std::vector<double> remaining_days_max;
};

// Resolves dependencies by ID. Unknown IDs are reported at the line that names them;
// self-dependencies are dropped (the card parser reports them).
PlanGraph BuildGraph(const std::vector<Workstream>& workstreams, Diagnostics& diagnostics);

// Reports every dependency cycle once, as "WS-01 → WS-02 → WS-01" with the lines that
// make each step. Returns true when there is none.
bool CheckAcyclic(const std::vector<Workstream>& workstreams, const PlanGraph& graph,
                  Diagnostics& diagnostics);

// Levels and critical path; needs an acyclic graph.
PlanAnalysis Analyze(const std::vector<Workstream>& workstreams, const PlanGraph& graph);

// "Blocks" lists must agree with the other cards' dependencies; each mismatch is a warning.
void CheckBlocksAgree(const std::vector<Workstream>& workstreams, const PlanGraph& graph,
                      Diagnostics& diagnostics);

}  // namespace wsfleet::common
