#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// What a rank's program calls to exchange values with the other ranks of its gang
// (`wsfleet rendezvous put|get` and `wsfleet gpu bench nccl` use it; see
// docs/gpu.md for the same in a few lines of C++ or shell).
namespace wsfleet::rendezvous {

// The socket from $WSFLEET_RENDEZVOUS, or why there is none.
absl::StatusOr<std::string> SocketFromEnvironment();

absl::Status Put(const std::string& socket, const std::string& key, std::string_view value);
// Waits up to `timeout` for the key's value; DEADLINE_EXCEEDED when it has not arrived.
absl::StatusOr<std::string> Get(const std::string& socket, const std::string& key,
                                std::chrono::milliseconds timeout);

}  // namespace wsfleet::rendezvous
