#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace wsfleet::common {

// Starts argv with `actions` and no signal blocked (a caller that blocks SIGINT and SIGTERM
// for its signal thread must not hand that on), this process's environment plus
// `extra_env` ("NAME=value"); argv[0] a path, or looked up in PATH with `search_path`.
absl::StatusOr<pid_t> SpawnUnblocked(const std::vector<std::string>& argv, const posix_spawn_file_actions_t& actions,
                                     const std::vector<std::string>& extra_env = {}, bool search_path = false);

// Starts argv[0] (a path) with `argv`, stdin from /dev/null and stdout and stderr appended
// to `output_path`, with no signal blocked (a caller that blocks SIGINT and SIGTERM for its
// signal thread must not hand that on). Returns its pid.
absl::StatusOr<pid_t> SpawnWithOutputTo(const std::vector<std::string>& argv, const std::string& output_path);

// Runs argv[0] (a path) with `argv`, stdin from /dev/null, stderr inherited, and waits for
// it: what it wrote to stdout if it exited 0, else an error saying how it ended.
absl::StatusOr<std::string> RunCapturingOutput(const std::vector<std::string>& argv);

// SIGTERM to each, then waits for them; any still running after `grace` gets SIGKILL.
void StopProcesses(const std::vector<pid_t>& pids, std::chrono::milliseconds grace);

}  // namespace wsfleet::common
