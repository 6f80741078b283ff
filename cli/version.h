#pragma once

#include <string>

namespace wsfleet::cli {

// "wsfleet 0.1.0 (git 1a2b3c4, GCC 12.2.0, C++20)".
std::string VersionLine();

}  // namespace wsfleet::cli
