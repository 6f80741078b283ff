// wsfleet-step-guard FENCE_FD [--user UID GID GROUPS] [--direct PATH N ARG...] -- SHELL ARG...
// wsfleet-step-guard --serve FD
// Between a wsfleet worker and each step it runs: makes sure nothing of the step outlives
// the worker or the worker's lease, and exits as the step did. A worker starts one with
// --serve, which forks a guard for each step it asks for (guard_server.h); the first form
// guards one command, for running it by hand.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "step_guard/guard_server.h"
#include "step_guard/step_guard.h"

namespace {

constexpr const char* kUsage =
    "usage: wsfleet-step-guard FENCE_FD [--user UID GID GROUPS] [--direct PATH N ARG...] -- SHELL ARG...\n"
    "       wsfleet-step-guard --serve FD\n"
    "(started by wsfleet workers, not by hand)\n";

int Serve(const std::string& fd) {
  if (fd.empty() || fd.find_first_not_of("0123456789") != std::string::npos || ::fcntl(std::atoi(fd.c_str()), F_GETFD) < 0) {
    std::fprintf(stderr, "wsfleet-step-guard: --serve takes the worker's open socket\n%s", kUsage);
    return 64;
  }
  // The guards it forks put the step's descriptors at 0-3: none of those may be free
  // here, or a request's descriptor could land on one of them.
  for (int standard = 0; standard <= 2; ++standard) {
    if (::fcntl(standard, F_GETFD) < 0) ::open("/dev/null", O_RDWR);
  }
  return wsfleet::step_guard::ServeSteps(std::atoi(fd.c_str()));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--serve") return Serve(args.size() == 2 ? args[1] : "");
  wsfleet::step_guard::GuardedCommand command;
  std::string error;
  if (!wsfleet::step_guard::ParseGuardArguments(args, command, error)) {
    std::fprintf(stderr, "wsfleet-step-guard: %s\n%s", error.c_str(), kUsage);
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
