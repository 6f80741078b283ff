#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::cli {

// `wsfleet rendezvous put|get`: a step's programs exchange values with the other ranks of
// its gang (rank 0 puts an ncclUniqueId, the others get it). Exit codes: 0; 1 (the worker
// refused, or the value did not arrive in time); 64 (usage, or not inside an attempt that
// has a rendezvous).
void AddRendezvousCommands(CLI::App& app, std::function<int()>& run);

}  // namespace wsfleet::cli
