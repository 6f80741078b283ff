#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::gpu::cli {

// `wsfleet gpu bench burn`, registered under `bench` (the `gpu bench` command).
void AddGpuBurnCommand(CLI::App& bench, std::function<int()>& run);

}  // namespace wsfleet::gpu::cli
