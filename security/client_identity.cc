#include "security/client_identity.h"

#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "security/certificates.h"
#include "security/secret_file.h"

namespace wsfleet::security {
namespace {

struct PemBlock {
  std::string label;
  std::string text;  // BEGIN to END lines included
};

std::vector<PemBlock> PemBlocks(const std::string& text) {
  std::vector<PemBlock> blocks;
  size_t at = 0;
  const std::string begin = "-----BEGIN ";
  while ((at = text.find(begin, at)) != std::string::npos) {
    size_t label_end = text.find("-----", at + begin.size());
    if (label_end == std::string::npos) break;
    std::string label = text.substr(at + begin.size(), label_end - at - begin.size());
    std::string end = "-----END " + label + "-----";
    size_t end_at = text.find(end, label_end);
    if (end_at == std::string::npos) break;
    blocks.push_back({label, text.substr(at, end_at + end.size() - at) + "\n"});
    at = end_at + end.size();
  }
  return blocks;
}

}  // namespace

std::string FormatClientIdentity(const ClientIdentity& identity, const std::string& comment) {
  std::string text = "# " + comment + "\n# Private key, then certificate, then the fleet's CA. Keep it 0600.\n";
  if (!identity.server_name.empty()) text += "# server-name: " + identity.server_name + "\n";
  for (const auto& [key, value] : identity.labels) text += "# label: " + key + "=" + value + "\n";
  return text + identity.key_pem + identity.certificate_pem + identity.ca_pem;
}

absl::StatusOr<ClientIdentity> ParseClientIdentity(const std::string& text, const std::string& path) {
  ClientIdentity identity;
  int certificates = 0;
  for (const PemBlock& block : PemBlocks(text)) {
    if (block.label.find("PRIVATE KEY") != std::string::npos) {
      identity.key_pem = block.text;
    } else if (block.label == "CERTIFICATE") {
      (certificates++ == 0 ? identity.certificate_pem : identity.ca_pem) = block.text;
    }
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# server-name: ", 0) == 0) identity.server_name = line.substr(15);
    if (line.rfind("# label: ", 0) == 0) {
      size_t eq = line.find('=');
      if (eq != std::string::npos) identity.labels[line.substr(9, eq - 9)] = line.substr(eq + 1);
    }
  }
  if (identity.key_pem.empty() || identity.certificate_pem.empty() || identity.ca_pem.empty()) {
    return absl::InvalidArgumentError(path + ": not a wsfleet credentials file (a private key, a certificate "
                                      "and the CA's, from `wsfleet admin-cert create`)");
  }
  if (absl::Status match = KeyMatches(identity.key_pem, identity.certificate_pem); !match.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(match.message()));
  }
  return identity;
}

absl::StatusOr<ClientIdentity> ReadClientIdentity(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSecretFile(path, true);
  if (!text.ok()) return text.status();
  return ParseClientIdentity(*text, path);
}

absl::Status WriteClientIdentity(const std::string& path, const ClientIdentity& identity,
                                 const std::string& comment) {
  return WriteSecretFile(path, FormatClientIdentity(identity, comment));
}

}  // namespace wsfleet::security
