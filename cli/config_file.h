#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/agents.h"

namespace wsfleet::cli {

// What a `--config FILE` (YAML) holds:
//
//   agents:                      # agent type -> what runs before the card's steps
//     my-agent: my-agent --task {prompt}          # a command (its output is not parsed)
//     claude:                                     # or: command, format, idle timeout
//       command: claude -p --output-format stream-json --verbose < {prompt}
//       resume: claude -p --resume {session} --output-format stream-json --verbose < {prompt}
//       format: claude                            # claude | codex | opencode | none
//       idle_timeout: 600                         # seconds without output: stalled
//     shell: ""                                   # no agent for this type
//   workspace:                   # for each new worktree, before the agent
//     copy: [.env]               # untracked files copied in from the repository
//     setup: npm ci              # then run there (bash); a failure fails the attempt
//
// Errors name the file and line; unknown keys are errors (a typo must not pass silently).
struct FleetConfig {
  std::map<std::string, worker::AgentSpec> agents;
  std::vector<std::string> copy;  // workspace.copy
  std::string setup;              // workspace.setup
};

absl::StatusOr<FleetConfig> LoadConfig(const std::string& path);

}  // namespace wsfleet::cli
