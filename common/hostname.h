#pragma once

#include <unistd.h>

#include <string>

namespace wsfleet::common {

// This machine's name (gethostname): what a worker reports in its Hello and its metrics,
// and names itself by default.
inline std::string Hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace wsfleet::common
