#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsfleet::worker {

// GNU make's fast path for steps: a script that is one simple command without any shell
// syntax (`touch out/a`, `ctest --output-on-failure -j 4`) runs without the shell, which
// halves the cost of starting a short step. Anything the shell could treat differently
// keeps the shell: quotes, escapes, expansions, globs, redirections, operators, comments,
// more than one line, an assignment, a builtin or keyword, a command not found on an
// absolute PATH, or one the kernel will not execute (the step runner falls back then).

enum class StepShell { kSh, kBash };

struct DirectCommand {
  std::string path;               // the executable the shell would have run
  std::vector<std::string> argv;  // argv[0] as written in the script
  std::vector<std::string> env;   // the environment the shell would have passed on
};

// The words of `script` when it is one simple command with nothing for a shell to expand
// or interpret; nullopt otherwise.
std::optional<std::vector<std::string>> SimpleCommandWords(std::string_view script);

// `script`, to be run in `workdir` (absolute) with `env` by `shell`, as a direct exec:
// nullopt when the shell must run it.
std::optional<DirectCommand> PlanDirectCommand(std::string_view script, StepShell shell,
                                               const std::string& workdir,
                                               const std::vector<std::string>& env);

}  // namespace wsfleet::worker
