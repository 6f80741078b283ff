#include "security/token_registry.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <filesystem>

#include "absl/status/status.h"
#include "security/secret_file.h"

namespace wsfleet::security {
namespace {

using json = nlohmann::json;

int64_t Unix(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

json ToJson(const TokenEntry& entry) {
  return json{{"id", entry.id},
              {"secret_sha256", entry.secret_sha256},
              {"description", entry.description},
              {"labels", entry.labels},
              {"created_unix", entry.created_unix},
              {"expires_unix", entry.expires_unix},
              {"revoked", entry.revoked},
              {"uses", entry.uses},
              {"last_used_unix", entry.last_used_unix}};
}

TokenEntry FromJson(const json& value) {
  TokenEntry entry;
  entry.id = value.at("id").get<std::string>();
  entry.secret_sha256 = value.at("secret_sha256").get<std::string>();
  entry.description = value.value("description", "");
  entry.labels = value.value("labels", std::map<std::string, std::string>{});
  entry.created_unix = value.value("created_unix", int64_t{0});
  entry.expires_unix = value.value("expires_unix", int64_t{0});
  entry.revoked = value.value("revoked", false);
  entry.uses = value.value("uses", uint64_t{0});
  entry.last_used_unix = value.value("last_used_unix", int64_t{0});
  return entry;
}

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

absl::StatusOr<TokenRegistry> TokenRegistry::Open(const std::string& path) {
  TokenRegistry registry(path);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return registry;
  absl::StatusOr<std::string> text = ReadSecretFile(path, true);
  if (!text.ok()) return text.status();
  try {
    json parsed = json::parse(*text);  // named: a range-for over a temporary's member dangles
    for (const json& value : parsed.at("tokens")) registry.entries_.push_back(FromJson(value));
  } catch (const json::exception& e) {
    return absl::DataLossError(path + ": not a token file wsfleet wrote: " + e.what());
  }
  return registry;
}

absl::StatusOr<JoinToken> TokenRegistry::Create(SystemTime now, std::chrono::seconds ttl,
                                                const std::string& ca_hash,
                                                std::map<std::string, std::string> labels,
                                                std::string description) {
  JoinToken token = NewJoinToken(ca_hash);
  while (Find(token.id) != nullptr) token = NewJoinToken(ca_hash);
  TokenEntry entry;
  entry.id = token.id;
  entry.secret_sha256 = Sha256Hex(token.secret);
  entry.description = std::move(description);
  entry.labels = std::move(labels);
  entry.created_unix = Unix(now);
  entry.expires_unix = ttl.count() > 0 ? Unix(now + ttl) : 0;
  entries_.push_back(entry);
  if (absl::Status saved = Save(); !saved.ok()) {
    entries_.pop_back();
    return saved;
  }
  return token;
}

absl::Status TokenRegistry::Register(const JoinToken& token, SystemTime now, std::string description) {
  if (TokenEntry* existing = Find(token.id)) {
    if (SameSecret(existing->secret_sha256, Sha256Hex(token.secret))) return absl::OkStatus();
    return absl::AlreadyExistsError("token " + token.id + " exists with another secret");
  }
  TokenEntry entry;
  entry.id = token.id;
  entry.secret_sha256 = Sha256Hex(token.secret);
  entry.description = std::move(description);
  entry.created_unix = Unix(now);
  entries_.push_back(entry);
  return Save();
}

absl::Status TokenRegistry::Revoke(const std::string& id) {
  TokenEntry* entry = Find(id);
  if (entry == nullptr) return absl::NotFoundError("no token " + id + " (see `wsfleet token list`)");
  entry->revoked = true;
  return Save();
}

absl::StatusOr<TokenEntry> TokenRegistry::Authenticate(const JoinToken& token, SystemTime now) {
  TokenEntry* entry = Find(token.id);
  // The same answer for an unknown ID and a wrong secret: the peer learns nothing of which.
  if (entry == nullptr || !SameSecret(entry->secret_sha256, Sha256Hex(token.secret))) {
    return absl::UnauthenticatedError("join token " + token.id + " is not valid");
  }
  if (entry->revoked) return absl::UnauthenticatedError("join token " + token.id + " was revoked");
  if (entry->expires_unix != 0 && Unix(now) >= entry->expires_unix) {
    return absl::UnauthenticatedError("join token " + token.id + " has expired");
  }
  ++entry->uses;
  entry->last_used_unix = Unix(now);
  // A use not saved costs only a count; the join goes ahead.
  (void)Save();
  return *entry;
}

absl::Status TokenRegistry::Save() const {
  json tokens = json::array();
  for (const TokenEntry& entry : entries_) tokens.push_back(ToJson(entry));
  return WriteSecretFile(path_, json{{"tokens", tokens}}.dump(2) + "\n");
}

TokenEntry* TokenRegistry::Find(const std::string& id) {
  for (TokenEntry& entry : entries_) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

}  // namespace wsfleet::security
