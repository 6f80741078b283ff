// The wsfleet binary: parses the command line and hands each subcommand its options.

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/plan_commands.h"
#include "cli/version.h"

namespace {

// The PATH... positional every plan-reading command takes.
void AddPlanPaths(CLI::App* command, std::vector<std::string>& paths) {
  command->add_option("paths", paths, "Card files and folders (folders are walked for *.md)")
      ->required();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wsfleet::cli;
  CLI::App app{"wsfleet: run a project's workstream cards on a fleet of GPU machines"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionLine());
  app.footer("Exit codes: 0 ok, 1 failed, 2 invalid plan, 64 bad usage.\n"
             "Run 'wsfleet COMMAND --help' for a command's options.");
  std::function<int()> run;

  PlanOptions plan;
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "Validate a plan of workstream cards; show levels and the critical path");
  AddPlanPaths(plan_cmd, plan.paths);
  plan_cmd->add_option("-o,--output", plan.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  plan_cmd->add_flag("-v,--verbose", plan.verbose,
                     "Also list files that were read but hold no workstream");
  plan_cmd->footer(
      "Errors and warnings go to stderr as file:line: messages; exit code 2 on any error.\n"
      "Examples:\n"
      "  wsfleet plan examples/hello-fleet\n"
      "  wsfleet plan docs/workstreams plan.md --output json | jq .critical_path");
  plan_cmd->callback([&] { run = [&] { return RunPlan(plan); }; });

  GraphOptions graph;
  CLI::App* graph_cmd = app.add_subcommand(
      "graph", "Print the dependency graph (critical path highlighted)");
  AddPlanPaths(graph_cmd, graph.paths);
  graph_cmd->add_option("-f,--format", graph.format, "Graph format")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}))
      ->capture_default_str();
  graph_cmd->footer(
      "Edges run from a dependency to the workstream that needs it.\n"
      "Examples:\n"
      "  wsfleet graph examples/hello-fleet | dot -Tsvg > plan.svg\n"
      "  wsfleet graph examples/hello-fleet --format mermaid");
  graph_cmd->callback([&] { run = [&] { return RunGraph(graph); }; });

  CLI::App* version_cmd = app.add_subcommand("version", "Print the version and build");
  version_cmd->footer("");
  version_cmd->callback([&] {
    run = [] {
      std::cout << VersionLine() << "\n";
      return kExitOk;
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  return run ? run() : kExitUsage;
}
