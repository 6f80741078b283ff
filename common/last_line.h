#pragma once

#include <string>

// The last lines a log ends with, for the live views of what a step is doing.
namespace wsfleet::common {

// The last non-empty line of the file at `path` (read from its last 4 KiB), made safe to
// print on a terminal: escape sequences and other control characters removed, a carriage
// return's overwritten text dropped (a progress bar's last state is what shows). Empty when
// the file is missing or has no such line.
std::string LastLineOf(const std::string& path);

// The same for text already read.
std::string LastLineIn(std::string_view text);

// The file's lines within its last `bytes` (a line the cut would halve left out), each made
// safe as LastLineOf's: the tail of a log, for a page to show. Empty when missing.
std::string LastLinesOf(const std::string& path, size_t bytes);

}  // namespace wsfleet::common
