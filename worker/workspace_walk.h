#pragma once

#include <filesystem>
#include <functional>

namespace wsfleet::worker {

// Visits the regular files under `root`, at most `max_files` entries and `max_depth`
// directories deep, skipping .git and node_modules (never a step's reports, and often the
// biggest trees): looking for what steps wrote must cost little in a big workspace.
void WalkWorkspace(const std::filesystem::path& root, int max_depth, int max_files,
                   const std::function<void(const std::filesystem::directory_entry&)>& visit);

}  // namespace wsfleet::worker
