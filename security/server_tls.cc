#include "security/server_tls.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "common/hostname.h"
#include "security/secret_file.h"

namespace wsfleet::security {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kCaLifetime = 24h * 3650;
constexpr auto kServerLifetime = 24h * 365;
constexpr auto kRenewServerBefore = 24h * 30;

// Both files, or neither: a lone one is a half-finished write or a mistake, and is made again.
absl::StatusOr<std::optional<KeyAndCertificate>> LoadPair(const fs::path& dir, const std::string& stem) {
  fs::path cert = dir / (stem + ".crt");
  fs::path key = dir / (stem + ".key");
  std::error_code error;
  if (!fs::exists(cert, error) || !fs::exists(key, error)) return std::optional<KeyAndCertificate>();
  absl::StatusOr<std::string> key_pem = ReadSecretFile(key.string(), true);
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = ReadSecretFile(cert.string(), false);
  if (!cert_pem.ok()) return cert_pem.status();
  if (absl::Status match = KeyMatches(*key_pem, *cert_pem); !match.ok()) {
    return absl::DataLossError(key.string() + ": " + std::string(match.message()));
  }
  return std::optional<KeyAndCertificate>(KeyAndCertificate{*key_pem, *cert_pem});
}

absl::Status SavePair(const fs::path& dir, const std::string& stem, const KeyAndCertificate& pair) {
  if (absl::Status status = WriteSecretFile((dir / (stem + ".key")).string(), pair.key_pem); !status.ok()) {
    return status;
  }
  return WriteSecretFile((dir / (stem + ".crt")).string(), pair.certificate_pem);
}

// Whether the server certificate still serves: signed by this CA, carrying every name, not
// about to expire.
bool ServerCertificateFits(const KeyAndCertificate& server, const KeyAndCertificate& ca,
                           const std::set<std::string>& names, SystemTime now) {
  if (!VerifySignedBy(server.certificate_pem, ca.certificate_pem).ok()) return false;
  absl::StatusOr<CertificateInfo> info = ReadCertificate(server.certificate_pem);
  if (!info.ok() || info->not_after - now < kRenewServerBefore) return false;
  std::set<std::string> carried(info->dns_names.begin(), info->dns_names.end());
  carried.insert(info->ip_addresses.begin(), info->ip_addresses.end());
  return std::includes(carried.begin(), carried.end(), names.begin(), names.end());
}

}  // namespace

bool IsIpAddress(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::vector<std::string> LocalNames() {
  std::set<std::string> names = {"localhost", common::Hostname()};
  struct ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) == 0) {
    for (struct ifaddrs* entry = interfaces; entry != nullptr; entry = entry->ifa_next) {
      if (entry->ifa_addr == nullptr || (entry->ifa_flags & IFF_UP) == 0) continue;
      char text[INET6_ADDRSTRLEN] = "";
      if (entry->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, text, sizeof text);
      } else if (entry->ifa_addr->sa_family == AF_INET6) {
        auto* address = reinterpret_cast<sockaddr_in6*>(entry->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&address->sin6_addr)) continue;  // needs a zone to dial
        inet_ntop(AF_INET6, &address->sin6_addr, text, sizeof text);
      }
      if (text[0] != '\0') names.insert(text);
    }
    freeifaddrs(interfaces);
  }
  return {names.begin(), names.end()};
}

absl::StatusOr<ServerTls> LoadOrCreateServerTls(const std::string& dir_text, const std::vector<std::string>& extra_names,
                                                SystemTime now) {
  fs::path dir(dir_text);
  if (absl::Status status = EnsurePrivateDirectory(dir_text); !status.ok()) return status;
  absl::StatusOr<std::optional<KeyAndCertificate>> ca = LoadPair(dir, "ca");
  if (!ca.ok()) return ca.status();
  if (!ca->has_value()) {
    absl::StatusOr<KeyAndCertificate> made = CreateCa("wsfleet CA " + RandomHex(4), now - 1h, now + kCaLifetime);
    if (!made.ok()) return made.status();
    if (absl::Status status = SavePair(dir, "ca", *made); !status.ok()) return status;
    *ca = *made;
  }
  std::set<std::string> names(extra_names.begin(), extra_names.end());
  names.insert(kCoordinatorName);
  absl::StatusOr<std::optional<KeyAndCertificate>> server = LoadPair(dir, "server");
  if (!server.ok()) return server.status();
  if (!server->has_value() || !ServerCertificateFits(**server, **ca, names, now)) {
    CertificateProfile profile{kCoordinatorName, kRoleCoordinator, {}, {}, now - 1h, now + kServerLifetime, true};
    for (const std::string& name : names) (IsIpAddress(name) ? profile.ip_addresses : profile.dns_names).push_back(name);
    absl::StatusOr<std::string> key = NewPrivateKey();
    if (!key.ok()) return key.status();
    absl::StatusOr<std::string> cert = IssueForKey(**ca, *key, profile);
    if (!cert.ok()) return cert.status();
    *server = KeyAndCertificate{*key, *cert};
    if (absl::Status status = SavePair(dir, "server", **server); !status.ok()) return status;
  }
  absl::StatusOr<std::string> hash = PublicKeySha256((*ca)->certificate_pem);
  if (!hash.ok()) return hash.status();
  return ServerTls{**server, (*ca)->certificate_pem, **ca, *hash};
}

absl::StatusOr<ServerTls> LoadExternalServerTls(const std::string& cert_file, const std::string& key_file,
                                                const std::string& client_ca_file, const std::string& ca_key_file) {
  ServerTls tls;
  absl::StatusOr<std::string> key = ReadSecretFile(key_file, true);
  if (!key.ok()) return absl::Status(key.status().code(), "--tls-key " + std::string(key.status().message()));
  absl::StatusOr<std::string> cert = ReadSecretFile(cert_file, false);
  if (!cert.ok()) return absl::Status(cert.status().code(), "--tls-cert " + std::string(cert.status().message()));
  if (absl::Status match = KeyMatches(*key, *cert); !match.ok()) {
    return absl::InvalidArgumentError("--tls-key " + key_file + ": " + std::string(match.message()));
  }
  absl::StatusOr<std::string> ca = ReadSecretFile(client_ca_file, false);
  if (!ca.ok()) return absl::Status(ca.status().code(), "--tls-client-ca " + std::string(ca.status().message()));
  if (!ReadCertificate(*ca).ok()) return absl::InvalidArgumentError("--tls-client-ca " + client_ca_file + ": not a PEM certificate");
  tls.server = {*key, *cert};
  tls.client_ca_pem = *ca;
  tls.ca.certificate_pem = *ca;
  if (!ca_key_file.empty()) {
    absl::StatusOr<std::string> ca_key = ReadSecretFile(ca_key_file, true);
    if (!ca_key.ok()) return absl::Status(ca_key.status().code(), "--tls-ca-key " + std::string(ca_key.status().message()));
    if (absl::Status match = KeyMatches(*ca_key, *ca); !match.ok()) {
      return absl::InvalidArgumentError("--tls-ca-key " + ca_key_file + ": " + std::string(match.message()));
    }
    tls.ca.key_pem = *ca_key;
  }
  absl::StatusOr<std::string> hash = PublicKeySha256(*ca);
  if (!hash.ok()) return hash.status();
  tls.ca_public_key_sha256 = *hash;
  return tls;
}

}  // namespace wsfleet::security
