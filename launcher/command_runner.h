#pragma once

#include <chrono>
#include <string>
#include <vector>

// Runs an engine's command (sbatch, squeue, scancel) and keeps what it said: the launcher
// shows sbatch's own error (an unknown partition, a gres the cluster lacks) as the reason
// the work waits or fails.
namespace wsfleet::launcher {

struct CommandResult {
  int exit_code = -1;   // -1: it could not start, or was killed at its time limit
  std::string output;   // stdout
  std::string errors;   // stderr, or why it did not run
  bool ok() const { return exit_code == 0; }
  // "exit 1: sbatch: error: invalid partition specified: gpu" and the like.
  std::string Describe() const;
};

// argv[0] from PATH; stdin from /dev/null; killed after `limit`. `extra_env` ("NAME=value")
// joins this process's environment (a secret for the command goes there, not in argv).
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                         const std::vector<std::string>& extra_env = {});

}  // namespace wsfleet::launcher
