#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::gpu::cli {

// `wsfleet gpu info` and `wsfleet gpu bench ...`: registers them on `app`; the chosen one
// is put in `run`. Exit codes: 0, 1 (a check failed), 64 (usage), 69 (no GPU to use here,
// or built without CUDA: the message says which).
void AddGpuCommands(CLI::App& app, std::function<int()>& run);

}  // namespace wsfleet::gpu::cli
