#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

// A step's processes that left its process group: an agent's command run in the background
// in a session of its own (claude's Bash tool does this), a daemon a test started. Each
// step carries a tag in its environment, which every descendant inherits unless it clears
// its environment; the tag finds them wherever they went.
namespace wsfleet::worker {

// "WSFLEET_STEP_TAG=<worker pid>-<n>": unique on this machine while the worker runs.
std::string NewStepTag();

// This user's processes (not this one) whose environment holds `entry` ("KEY=value")
// exactly; those whose environment cannot be read are not.
std::vector<pid_t> ProcessesWithEnvironment(const std::string& entry);

// Sends `signal` to each of them, looking again until none is left or `rounds` have
// passed (a process may fork while it is being signalled). Returns how many were signalled.
size_t SignalProcessesWithEnvironment(const std::string& entry, int signal, int rounds = 3);

}  // namespace wsfleet::worker
