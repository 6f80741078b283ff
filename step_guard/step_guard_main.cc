// wsfleet-step-guard FENCE_FD [--user UID GID GROUPS] [--direct PATH N ARG...] -- SHELL ARG...
// Started by a wsfleet worker for each step: runs the step and makes sure nothing of it
// outlives the worker or the worker's lease. Exits as the step did.

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "step_guard/step_guard.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  wsfleet::step_guard::GuardedCommand command;
  std::string error;
  if (!wsfleet::step_guard::ParseGuardArguments(args, command, error)) {
    std::fprintf(stderr,
                 "wsfleet-step-guard: %s\nusage: wsfleet-step-guard FENCE_FD [--user UID GID GROUPS] [--direct PATH N ARG...] -- SHELL ARG...\n"
                 "(started by wsfleet workers, not by hand)\n",
                 error.c_str());
    return 64;
  }
  const char* tag = std::getenv("WSFLEET_STEP_TAG");
  int signal_to_raise = 0;
  int status = wsfleet::step_guard::RunGuarded(command, tag != nullptr ? std::string("WSFLEET_STEP_TAG=") + tag : "",
                                               &signal_to_raise);
  if (signal_to_raise != 0) {
    // Ended as the step was: the worker reads "killed by SIGKILL", not an exit code.
    ::signal(signal_to_raise, SIG_DFL);
    ::raise(signal_to_raise);
  }
  return status;
}
