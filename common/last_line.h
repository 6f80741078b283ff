#pragma once

#include <string>

// The last line a log ends with, for a live view of what a step is doing.
namespace wsfleet::common {

// The last non-empty line of the file at `path` (read from its last 4 KiB), made safe to
// print on a terminal: escape sequences and other control characters removed, a carriage
// return's overwritten text dropped (a progress bar's last state is what shows). Empty when
// the file is missing or has no such line.
std::string LastLineOf(const std::string& path);

// The same for text already read.
std::string LastLineIn(std::string_view text);

}  // namespace wsfleet::common
