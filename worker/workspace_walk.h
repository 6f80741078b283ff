#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wsfleet::worker {

// Visits the regular files under `root`, at most `max_files` entries and `max_depth`
// directories deep, skipping .git and node_modules (never a step's reports, and often the
// biggest trees): looking for what steps wrote must cost little in a big workspace.
void WalkWorkspace(const std::filesystem::path& root, int max_depth, int max_files,
                   const std::function<void(const std::filesystem::directory_entry&)>& visit);

// Whether `file` is one of `paths` as a step named them, relative to wherever it ran:
// its path ends with the named one ("c/coverage.xml" for "coverage.xml"), whole names only.
bool EndsWithAny(const std::filesystem::path& file, const std::vector<std::string>& paths);

// The words of a step's script that may be paths it tells a tool to write: split on
// blanks and shell separators, quotes dropped, and for `--flag=value` the value
// ("--junitxml=out/j.xml" gives "out/j.xml").
std::vector<std::string> PathWords(std::string_view script);

}  // namespace wsfleet::worker
