// The `wsfleet gpu` commands linked without CUDA (see CMakeLists.txt): every function they
// reach must exist in such a build. Built, never run.
#include <functional>

#include <CLI/CLI.hpp>

#include "gpu/cli/commands.h"

int main() {
  CLI::App app;
  std::function<int()> run;
  wsfleet::gpu::cli::AddGpuCommands(app, run);
  return run ? run() : 0;
}
