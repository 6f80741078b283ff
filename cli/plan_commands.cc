#include "cli/plan_commands.h"


#include <cstdio>
#include <iostream>

#include "common/exit_codes.h"
#include "cli/agent_types.h"
#include "cli/config_file.h"
#include "cli/graph_render.h"
#include "cli/plan_json.h"
#include "cli/plan_table.h"
#include "common/plan_loader.h"

namespace wsfleet::cli {
namespace {

// `plan` and `graph` only read the plan: the cards' text is not kept once parsed.
common::LoadOptions ReadOnly() {
  common::LoadOptions options;
  options.keep_sources = false;
  return options;
}

void PrintDiagnostics(const common::Plan& plan, bool include_warnings) {
  for (const common::Diagnostic& diagnostic : plan.diagnostics.Sorted()) {
    if (diagnostic.severity == common::Severity::kWarning && !include_warnings) continue;
    std::cerr << diagnostic.ToString() << "\n";
  }
  if (plan.diagnostics.has_errors()) {
    std::cerr << plan.diagnostics.error_count() << " error"
              << (plan.diagnostics.error_count() == 1 ? "" : "s") << " in the plan\n";
  }
}

void PrintIgnored(const common::Plan& plan) {
  for (const common::IgnoredFile& ignored : plan.ignored) {
    std::cerr << ignored.file << ": ignored (" << common::DocumentKindName(ignored.kind)
              << ")\n";
  }
}

}  // namespace

int RunPlan(const PlanOptions& options) {
  std::map<std::string, worker::AgentSpec> agents;
  if (!options.config.empty()) {
    absl::StatusOr<FleetConfig> file = LoadConfig(options.config);
    if (!file.ok()) {
      std::cerr << "wsfleet plan: " << file.status().message() << "\n";
      return kExitUsage;
    }
    agents = file->agents;
  }
  common::Plan plan = common::LoadPlan(options.paths, ReadOnly());
  CheckAgentTypes(plan, agents, common::Severity::kWarning, plan.diagnostics);
  bool json = options.output == "json";
  if (options.verbose) PrintIgnored(plan);
  PrintDiagnostics(plan, /*include_warnings=*/!json);
  if (json) {
    std::cout << PlanToJson(plan).dump(2) << "\n";
  } else if (plan.ok()) {
    if (plan.workstreams.empty()) {
      std::cerr << "no workstream cards found in the given paths\n";
      return kExitInvalidPlan;
    }
    std::cout << RenderPlanTable(plan);
  }
  if (plan.workstreams.empty() && plan.ok()) return kExitInvalidPlan;
  return plan.ok() ? kExitOk : kExitInvalidPlan;
}

int RunGraph(const GraphOptions& options) {
  common::Plan plan = common::LoadPlan(options.paths, ReadOnly());
  PrintDiagnostics(plan, /*include_warnings=*/false);
  if (!plan.ok()) return kExitInvalidPlan;
  if (plan.workstreams.empty()) {
    std::cerr << "no workstream cards found in the given paths\n";
    return kExitInvalidPlan;
  }
  if (options.format == "mermaid") {
    std::cout << RenderMermaid(plan);
  } else if (options.format == "json") {
    std::cout << RenderGraphJson(plan);
  } else {
    std::cout << RenderDot(plan);
  }
  return kExitOk;
}

}  // namespace wsfleet::cli
