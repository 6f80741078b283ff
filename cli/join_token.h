#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace wsfleet::cli {

// The join token: the contents of `file` (surrounding whitespace trimmed), else
// $WSFLEET_JOIN_TOKEN, else empty. A wsf1 token (security/join_token.h) joins a TLS
// coordinator; any other text is the shared secret of an --insecure fleet. A missing or
// empty file, or the placeholder the Kubernetes base ships ("CHANGE-ME..."), is an error
// naming the file.
absl::StatusOr<std::string> ReadJoinToken(const std::string& file);

}  // namespace wsfleet::cli
