#pragma once

#include <string>
#include <vector>

namespace wsfleet::cli {

struct PlanOptions {
  std::vector<std::string> paths;
  std::string output = "table";  // table | json
  bool verbose = false;
  std::string config;  // its agents: map agent types; empty: the shipped ones alone
};

struct GraphOptions {
  std::vector<std::string> paths;
  std::string format = "dot";  // dot | mermaid | json
};

// `wsfleet plan`: validate the plan and show its workstreams, levels and critical path.
int RunPlan(const PlanOptions& options);

// `wsfleet graph`: the dependency graph as dot, mermaid or json.
int RunGraph(const GraphOptions& options);

}  // namespace wsfleet::cli
