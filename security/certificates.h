#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

// X.509 for the fleet's own small PKI, all through OpenSSL: EC P-256 keys, a CA, the
// coordinator's server certificate, and client certificates whose subject says who the
// peer is (CN) and what it may do (OU: its role). Everything is PEM text in and out.
// Pure functions: any thread.
namespace wsfleet::security {

using SystemTime = std::chrono::system_clock::time_point;

// The roles a certificate's OU names. A worker speaks only for its CN; an admin may call
// everything; a viewer may read.
inline constexpr char kRoleCoordinator[] = "coordinator";
inline constexpr char kRoleWorker[] = "worker";
inline constexpr char kRoleAdmin[] = "admin";
inline constexpr char kRoleViewer[] = "viewer";

// What a certificate says about its holder; the CSR's own subject is never trusted.
struct CertificateProfile {
  std::string common_name;
  std::string role;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries (server certificates)
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries
  SystemTime not_before;
  SystemTime not_after;
  bool server = false;  // extendedKeyUsage serverAuth, else clientAuth
};

struct KeyAndCertificate {
  std::string key_pem;
  std::string certificate_pem;
};

// What wsfleet reads back from a certificate.
struct CertificateInfo {
  std::string common_name;
  std::string role;  // the first OU; empty if none
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  SystemTime not_before;
  SystemTime not_after;
  std::string serial_hex;
  std::string public_key_sha256;  // of the DER SubjectPublicKeyInfo, lowercase hex
};

absl::StatusOr<std::string> NewPrivateKey();  // EC P-256, PKCS#8 PEM
// A self-signed CA certificate and its key.
absl::StatusOr<KeyAndCertificate> CreateCa(const std::string& name, SystemTime not_before,
                                           SystemTime not_after);
// A certificate for `key_pem`'s public key, signed by the CA.
absl::StatusOr<std::string> IssueForKey(const KeyAndCertificate& ca, const std::string& key_pem,
                                        const CertificateProfile& profile);
// A PKCS#10 request carrying `key_pem`'s public key, signed by it (proof of possession).
absl::StatusOr<std::string> CreateRequest(const std::string& key_pem, const std::string& common_name);
// A certificate for the request's public key once its signature checks; the subject comes
// from `profile`, not from the request.
absl::StatusOr<std::string> IssueForRequest(const KeyAndCertificate& ca, const std::string& request_pem,
                                            const CertificateProfile& profile);

absl::StatusOr<CertificateInfo> ReadCertificate(const std::string& certificate_pem);
// OK when `certificate_pem` was signed by `ca_pem`'s key.
absl::Status VerifySignedBy(const std::string& certificate_pem, const std::string& ca_pem);
// The SHA-256 of a certificate's SubjectPublicKeyInfo (what a join token pins), hex.
absl::StatusOr<std::string> PublicKeySha256(const std::string& certificate_pem);
// OK when `key_pem` holds the private key of `certificate_pem`.
absl::Status KeyMatches(const std::string& key_pem, const std::string& certificate_pem);

std::string Sha256Hex(const std::string& bytes);
// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string RandomHex(size_t bytes);

}  // namespace wsfleet::security
