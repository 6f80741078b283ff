#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::cli {

// `wsfleet clean`: removes the worktrees (and branches) whose work is merged into their
// plan's integration branch; keeps every other one and says why.
void AddCleanCommand(CLI::App& app, std::function<int()>& run);

}  // namespace wsfleet::cli
