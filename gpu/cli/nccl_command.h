#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::gpu::cli {

// `wsfleet gpu bench nccl`, registered under `bench` (the `gpu bench` command).
void AddGpuNcclCommand(CLI::App& bench, std::function<int()>& run);

}  // namespace wsfleet::gpu::cli
