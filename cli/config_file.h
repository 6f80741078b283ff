#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace wsfleet::cli {

// What a `--config FILE` (YAML) holds:
//
//   agents:                      # agent type -> command run before the card's steps
//     claude: claude -p --output-format stream-json < {prompt}
//     codex: codex exec --json - < {prompt}
//
// Errors name the file and line; unknown keys are errors (a typo must not pass silently).
struct FleetConfig {
  std::map<std::string, std::string> agents;
};

absl::StatusOr<FleetConfig> LoadConfig(const std::string& path);

}  // namespace wsfleet::cli
