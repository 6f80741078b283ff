#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/workstream.h"
#include "coordinator/verdict.h"
#include "worker/agents.h"

namespace wsfleet::cli {

// What a `--config FILE` (YAML) holds:
//
//   agents:                      # agent type -> what runs before the card's steps
//     my-agent: my-agent --task {prompt}          # a command (its output is not parsed)
//     backend-architect: claude                   # a role mapped to a shipped agent
//     claude:                                     # or: command, format, idle timeout
//       command: claude -p --output-format stream-json --verbose < {prompt}
//       resume: claude -p --resume {session} --output-format stream-json --verbose < {prompt}
//       format: claude                            # claude | codex | opencode | none
//       idle_timeout: 600                         # seconds without output: stalled
//     shell: ""                                   # no agent for this type
//   workspace:                   # for each new worktree, before the agent
//     copy: [.env]               # untracked files copied in from the repository
//     setup: npm ci              # then run there (bash); a failure fails the attempt
//   budgets:
//     workstream: 2h, 2M tokens, $5   # each attempt's agent, where the card sets none
//     plan: $50, 20M tokens           # wsfleet run: the whole plan (--plan-budget wins)
//   steps:
//     direct_exec: false         # every step through its shell, even one simple command
//     env_passthrough: [PATH, HOME, LANG]  # only these of the worker's variables reach steps
//   verification: lenient        # wsfleet run: lenient | default | strict, or
//   verification:                #   require_verified: true (= strict); the flags win
//     require_verified: true
//   slurm:                       # wsfleet coordinator --launcher slurm (its flags win)
//     partition: gpu             # account, qos likewise
//     sbatch_args: [--exclusive] # before --slurm-sbatch-arg's
//     worker_args: [--config=/shared/wsfleet.yaml]
//     features:                  # a card's label or Environment need -> node feature
//       rack=a: rack_a           #   (launcher/slurm_commands.h SlurmFeatures); "": none
//       gpu=GB10: dgx_spark
//
// Errors name the file and line; unknown keys are errors (a typo must not pass silently).
struct FleetConfig {
  std::map<std::string, worker::AgentSpec> agents;
  std::vector<std::string> copy;  // workspace.copy
  std::string setup;              // workspace.setup
  // budgets.workstream: for cards without their own Budget; budgets.plan: as --plan-budget.
  std::optional<common::Workstream::Budget> workstream_budget;
  std::optional<common::Workstream::Budget> plan_budget;
  bool direct_exec = true;  // steps.direct_exec (see worker/direct_command.h)
  // steps.env_passthrough: the worker's variables steps get; unset: all but WSFLEET_*.
  std::optional<std::vector<std::string>> env_passthrough;
  std::optional<coordinator::Verification> verification;  // see coordinator/verdict.h
  struct Slurm {
    std::string partition, account, qos;
    std::vector<std::string> sbatch_args, worker_args;
    std::map<std::string, std::string> features;
  } slurm;
};

absl::StatusOr<FleetConfig> LoadConfig(const std::string& path);

}  // namespace wsfleet::cli
