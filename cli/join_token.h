#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace wsfleet::cli {

// The fleet's join token: the contents of `file` (surrounding whitespace trimmed), else
// $WSFLEET_JOIN_TOKEN, else empty (no token: any worker may join). A missing or empty file,
// or the placeholder the Kubernetes base ships ("CHANGE-ME..."), is an error naming the file.
absl::StatusOr<std::string> ReadJoinToken(const std::string& file);

}  // namespace wsfleet::cli
