#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "security/certificates.h"

// The coordinator's TLS material: its own PKI kept in STATE/tls/, or files from an
// existing one (cert-manager in Kubernetes). Layout of STATE/tls/ (0700, files 0600):
//
//   ca.crt  ca.key          the fleet's CA (10 years), made on first start
//   server.crt  server.key  the coordinator's certificate (1 year; made again when a name
//                           it must carry is missing, or 30 days before it expires)
//   tokens.json             join tokens: IDs and SHA-256 of their secrets
namespace wsfleet::security {

// The name every certificate this coordinator makes for itself carries, so that a client
// holding the fleet's CA checks it whatever address it dialled (see ClientTls).
inline constexpr char kCoordinatorName[] = "wsfleet-coordinator";

struct ServerTls {
  KeyAndCertificate server;
  std::string client_ca_pem;     // clients' certificates must chain to it
  KeyAndCertificate ca;          // key empty when the coordinator cannot issue (external PKI)
  std::string ca_public_key_sha256;  // what join tokens pin
  bool can_issue() const { return !ca.key_pem.empty(); }
};

// Loads STATE/tls/ (`dir`), making what is missing; `names` are host names and addresses
// (either kind) the server certificate must carry besides kCoordinatorName.
absl::StatusOr<ServerTls> LoadOrCreateServerTls(const std::string& dir, const std::vector<std::string>& names,
                                                SystemTime now);
// An existing PKI's files: the server's certificate and key, and the CA clients' certificates
// chain to. A CA key beside it (`ca_key_file`, may be empty) lets the coordinator issue.
absl::StatusOr<ServerTls> LoadExternalServerTls(const std::string& cert_file, const std::string& key_file,
                                                const std::string& client_ca_file, const std::string& ca_key_file);
// This machine's names for a server certificate: its host name, localhost and the
// addresses of every interface that is up.
std::vector<std::string> LocalNames();
bool IsIpAddress(const std::string& name);

}  // namespace wsfleet::security
