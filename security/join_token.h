#pragma once

#include <string>

#include "absl/status/statusor.h"

// The text of a join token, `wsf1.<id>.<secret>.<ca-hash>` (the kubeadm discovery-hash
// model): <id> names the token in `wsfleet token list|revoke` and in logs; <secret> (128
// bits, hex) proves the holder may join; <ca-hash> is the SHA-256 of the coordinator CA's
// public key, which lets a worker that has nothing else refuse a coordinator with another
// CA. The hash may be left off (`wsf1.<id>.<secret>`) when the worker is given the CA.
namespace wsfleet::security {

struct JoinToken {
  std::string id;       // 6 characters, [a-z0-9]
  std::string secret;   // 32 hex digits
  std::string ca_hash;  // 64 hex digits; empty when left off
};

inline constexpr size_t kTokenIdLength = 6;
inline constexpr size_t kTokenSecretLength = 32;

// A new token with a random ID and secret, pinning `ca_hash`.
JoinToken NewJoinToken(const std::string& ca_hash);
std::string FormatJoinToken(const JoinToken& token);
// Never echoes the secret in its errors.
absl::StatusOr<JoinToken> ParseJoinToken(const std::string& text);

}  // namespace wsfleet::security
