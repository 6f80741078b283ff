#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace wsfleet::cli {

// `wsfleet token create|list|revoke` and `wsfleet admin-cert create`: who may join the
// fleet and who may drive it. They talk to the coordinator as an admin (its local socket
// by default).
void AddAccessCommands(CLI::App& app, std::function<int()>& run);

}  // namespace wsfleet::cli
