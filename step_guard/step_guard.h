#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wsfleet::step_guard {

// What the worker hands its guard on the command line:
//   wsfleet-step-guard FENCE_FD [--user UID GID GROUPS] [--direct PATH N ARG...] -- SHELL_PATH ARG...
// The direct command is tried first; when the kernel will not run it, the shell command
// runs instead (see worker/direct_command.h). With --user (GROUPS: comma-separated group
// IDs, or "-" for none) the guard stays as it was started (root) and only the step runs as
// that user: the step can then neither signal its guard nor stop it from killing what the
// step started, and the guard's binary need not be reachable by the user.
struct GuardedCommand {
  int fence_fd = -1;
  bool as_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string direct_path;         // empty: none
  std::vector<std::string> direct_argv;
  std::string shell_path;
  std::vector<std::string> shell_argv;
};

// Nothing on failure (and `error` says why).
bool ParseGuardArguments(const std::vector<std::string>& args, GuardedCommand& out, std::string& error);

// The fence: 8-byte little-endian CLOCK_MONOTONIC milliseconds written by the worker to
// FENCE_FD whenever its lease is renewed; 0 means "none yet". Past the deadline, or when
// the worker's end closes (the worker is gone), the step and everything it started die.
int64_t MonotonicMillis();

// Kills (SIGKILL) every process of the step: the guard's process group, the processes
// whose environment holds `tag` (those that left the group), and every child the guard
// has as their subreaper (orphans re-parented to it), until none is left or `rounds` pass.
void KillEverything(const std::string& tag, int rounds = 20);

// Runs the step and watches the fence; returns the guard's exit status (the step's, or
// the signal that ended it as 128 + N, raised by main instead). When it returns, nothing
// the step started is left: what outlived the step was killed (KillEverything).
int RunGuarded(const GuardedCommand& command, const std::string& tag, int* signal_to_raise);

}  // namespace wsfleet::step_guard
