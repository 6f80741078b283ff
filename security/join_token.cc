#include "security/join_token.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_split.h"
#include "security/certificates.h"

namespace wsfleet::security {
namespace {

bool AllOf(const std::string& text, const char* allowed) {
  return !text.empty() && text.find_first_not_of(allowed) == std::string::npos;
}

constexpr char kLowerAlnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kHex[] = "0123456789abcdef";

}  // namespace

JoinToken NewJoinToken(const std::string& ca_hash) {
  // The ID is public (listed, logged); 6 characters of [a-z0-9] from random bytes.
  std::string id;
  std::string random = RandomHex(kTokenIdLength * 2);
  for (size_t i = 0; i < kTokenIdLength; ++i) {
    id += kLowerAlnum[std::stoul(random.substr(i * 2, 2), nullptr, 16) % 36];
  }
  return JoinToken{id, RandomHex(kTokenSecretLength / 2), ca_hash};
}

std::string FormatJoinToken(const JoinToken& token) {
  std::string text = "wsf1." + token.id + "." + token.secret;
  if (!token.ca_hash.empty()) text += "." + token.ca_hash;
  return text;
}

absl::StatusOr<JoinToken> ParseJoinToken(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '.');
  if (parts.size() < 3 || parts.size() > 4 || parts[0] != "wsf1") {
    return absl::InvalidArgumentError(
        "not a wsfleet join token (wsf1.<id>.<secret>.<ca-hash>, from `wsfleet token create`)");
  }
  JoinToken token{parts[1], parts[2], parts.size() == 4 ? parts[3] : ""};
  if (token.id.size() != kTokenIdLength || !AllOf(token.id, kLowerAlnum)) {
    return absl::InvalidArgumentError("the join token's ID is not 6 characters of a-z and 0-9");
  }
  if (token.secret.size() != kTokenSecretLength || !AllOf(token.secret, kHex)) {
    return absl::InvalidArgumentError("the join token's secret is not 32 hex digits");
  }
  if (parts.size() == 4 && (token.ca_hash.size() != 64 || !AllOf(token.ca_hash, kHex))) {
    return absl::InvalidArgumentError("the join token's CA hash is not 64 hex digits");
  }
  return token;
}

}  // namespace wsfleet::security
