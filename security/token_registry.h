#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "security/certificates.h"
#include "security/join_token.h"

namespace wsfleet::security {

// What the coordinator keeps of a join token: never the secret, only its SHA-256.
struct TokenEntry {
  std::string id;
  std::string secret_sha256;
  std::string description;
  std::map<std::string, std::string> labels;  // given to the workers that join with it
  int64_t created_unix = 0;
  int64_t expires_unix = 0;  // 0: never
  bool revoked = false;
  uint64_t uses = 0;
  int64_t last_used_unix = 0;
};

// The coordinator's join tokens, kept in one JSON file (STATE/tls/tokens.json, 0600)
// rewritten whole on every change. Owned by the coordinator's loop thread.
class TokenRegistry {
 public:
  // Loads `path`; a missing file is an empty registry.
  static absl::StatusOr<TokenRegistry> Open(const std::string& path);

  // A new token pinning `ca_hash`; ttl zero: it never expires.
  absl::StatusOr<JoinToken> Create(SystemTime now, std::chrono::seconds ttl, const std::string& ca_hash,
                                   std::map<std::string, std::string> labels, std::string description);
  // Adds a token whose secret the operator chose (a Kubernetes Secret): it never expires.
  // The same ID and secret again is a no-op; the same ID with another secret is an error.
  absl::Status Register(const JoinToken& token, SystemTime now, std::string description);
  absl::Status Revoke(const std::string& id);
  const std::vector<TokenEntry>& entries() const { return entries_; }
  // The entry when `token` may join now, and its use counted; else why not, in words a
  // refused worker may be told (nothing about other tokens).
  absl::StatusOr<TokenEntry> Authenticate(const JoinToken& token, SystemTime now);

 private:
  explicit TokenRegistry(std::string path) : path_(std::move(path)) {}
  absl::Status Save() const;
  TokenEntry* Find(const std::string& id);

  std::string path_;
  std::vector<TokenEntry> entries_;
};

}  // namespace wsfleet::security
