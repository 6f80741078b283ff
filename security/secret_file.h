#pragma once

#include <string>

#include "absl/status/statusor.h"

// Files only their owner may read: keys, certificates, token hashes, credential bundles.
// Any thread.
namespace wsfleet::security {

// Creates `path` (and its parents) when missing and makes it 0700.
absl::Status EnsurePrivateDirectory(const std::string& path);
// Writes `text` to `path` as 0600: a temporary file, fsync, rename. A reader never sees a
// half-written key, and a crash leaves the old file or the new one.
absl::Status WriteSecretFile(const std::string& path, const std::string& text);
// The file's text; an error naming it when it cannot be read, or when others may read it
// (`require_private`): a key another user could have copied is not a secret.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path, bool require_private);

}  // namespace wsfleet::security
