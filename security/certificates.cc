#include "security/certificates.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/status/status.h"

namespace wsfleet::security {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* pointer) const { Free(pointer); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using Number = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

// The newest OpenSSL error, for a message that says what failed and why.
absl::Status OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  return absl::InternalError(what + ": " + text);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<Key> ParseKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  return key;
}

absl::StatusOr<Cert> ParseCert(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM certificate");
  }
  return cert;
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing a private key");
  }
  return BioText(bio.get());
}

std::string CertPem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

void AddName(X509_NAME* name, const char* field, const std::string& value) {
  X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(value.data()),
                             static_cast<int>(value.size()), -1, 0);
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  Extension extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return OpenSslError(std::string("certificate extension ") + OBJ_nid2sn(nid) + " " + value);
  }
  return absl::OkStatus();
}

std::string AltNames(const CertificateProfile& profile) {
  std::string names;
  for (const std::string& dns : profile.dns_names) names += (names.empty() ? "" : ",") + ("DNS:" + dns);
  for (const std::string& ip : profile.ip_addresses) names += (names.empty() ? "" : ",") + ("IP:" + ip);
  return names;
}

// The certificate body every issued certificate shares: a random 128-bit serial, the
// validity, the subject (O=wsfleet, OU=role, CN=name) and the subject key.
absl::StatusOr<Cert> NewCertificate(const CertificateProfile& profile, EVP_PKEY* subject_key,
                                    X509_NAME* issuer_name) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  Number serial(BN_new());
  if (BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return OpenSslError("certificate serial");
  }
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), std::chrono::system_clock::to_time_t(profile.not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), std::chrono::system_clock::to_time_t(profile.not_after));
  X509_NAME* subject = X509_get_subject_name(cert.get());
  AddName(subject, "O", "wsfleet");
  if (!profile.role.empty()) AddName(subject, "OU", profile.role);
  AddName(subject, "CN", profile.common_name);
  X509_set_issuer_name(cert.get(), issuer_name != nullptr ? issuer_name : subject);
  if (X509_set_pubkey(cert.get(), subject_key) != 1) return OpenSslError("certificate key");
  return cert;
}

absl::StatusOr<std::string> SignLeaf(const KeyAndCertificate& ca, EVP_PKEY* subject_key,
                                     const CertificateProfile& profile) {
  absl::StatusOr<Key> ca_key = ParseKey(ca.key_pem);
  if (!ca_key.ok()) return absl::InvalidArgumentError("the CA key: " + std::string(ca_key.status().message()));
  absl::StatusOr<Cert> ca_cert = ParseCert(ca.certificate_pem);
  if (!ca_cert.ok()) return absl::InvalidArgumentError("the CA certificate: " + std::string(ca_cert.status().message()));
  absl::StatusOr<Cert> cert = NewCertificate(profile, subject_key, X509_get_subject_name(ca_cert->get()));
  if (!cert.ok()) return cert.status();
  X509* issuer = ca_cert->get();
  for (auto [nid, value] : std::initializer_list<std::pair<int, std::string>>{
           {NID_basic_constraints, "critical,CA:FALSE"},
           {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
           {NID_ext_key_usage, profile.server ? "serverAuth" : "clientAuth"},
           {NID_subject_key_identifier, "hash"},
           {NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status status = AddExtension(cert->get(), issuer, nid, value); !status.ok()) return status;
  }
  if (std::string names = AltNames(profile); !names.empty()) {
    if (absl::Status status = AddExtension(cert->get(), issuer, NID_subject_alt_name, names); !status.ok()) {
      return status;
    }
  }
  if (X509_sign(cert->get(), ca_key->get(), EVP_sha256()) == 0) return OpenSslError("signing a certificate");
  return CertPem(cert->get());
}

std::string Hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 15];
  }
  return hex;
}

std::string NameEntry(X509_NAME* name, int nid) {
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  unsigned char* utf8 = nullptr;
  int size = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
  if (size < 0) return "";
  std::string text(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return text;
}

SystemTime TimeOf(const ASN1_TIME* time) {
  struct tm parts {};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return SystemTime();
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

}  // namespace

absl::StatusOr<std::string> NewPrivateKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating an EC P-256 key");
  return KeyPem(key.get());
}

absl::StatusOr<KeyAndCertificate> CreateCa(const std::string& name, SystemTime not_before,
                                           SystemTime not_after) {
  absl::StatusOr<std::string> key_pem = NewPrivateKey();
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<Key> key = ParseKey(*key_pem);
  if (!key.ok()) return key.status();
  CertificateProfile profile{name, "ca", {}, {}, not_before, not_after, false};
  absl::StatusOr<Cert> cert = NewCertificate(profile, key->get(), nullptr);
  if (!cert.ok()) return cert.status();
  for (auto [nid, value] : std::initializer_list<std::pair<int, const char*>>{
           {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
           {NID_key_usage, "critical,keyCertSign,cRLSign"},
           {NID_subject_key_identifier, "hash"}}) {
    if (absl::Status status = AddExtension(cert->get(), cert->get(), nid, value); !status.ok()) return status;
  }
  if (X509_sign(cert->get(), key->get(), EVP_sha256()) == 0) return OpenSslError("signing the CA");
  return KeyAndCertificate{*key_pem, CertPem(cert->get())};
}

absl::StatusOr<std::string> IssueForKey(const KeyAndCertificate& ca, const std::string& key_pem,
                                        const CertificateProfile& profile) {
  absl::StatusOr<Key> key = ParseKey(key_pem);
  if (!key.ok()) return key.status();
  return SignLeaf(ca, key->get(), profile);
}

absl::StatusOr<std::string> CreateRequest(const std::string& key_pem, const std::string& common_name) {
  absl::StatusOr<Key> key = ParseKey(key_pem);
  if (!key.ok()) return key.status();
  Request request(X509_REQ_new());
  AddName(X509_REQ_get_subject_name(request.get()), "CN", common_name);
  if (X509_REQ_set_pubkey(request.get(), key->get()) != 1 ||
      X509_REQ_sign(request.get(), key->get(), EVP_sha256()) == 0) {
    return OpenSslError("signing a certificate request");
  }
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), request.get());
  return BioText(bio.get());
}

absl::StatusOr<std::string> IssueForRequest(const KeyAndCertificate& ca, const std::string& request_pem,
                                            const CertificateProfile& profile) {
  Bio bio(BIO_new_mem_buf(request_pem.data(), static_cast<int>(request_pem.size())));
  Request request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!request) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM certificate request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(request.get());
  if (key == nullptr || X509_REQ_verify(request.get(), key) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the certificate request's signature does not check");
  }
  return SignLeaf(ca, key, profile);
}

absl::StatusOr<CertificateInfo> ReadCertificate(const std::string& certificate_pem) {
  absl::StatusOr<Cert> cert = ParseCert(certificate_pem);
  if (!cert.ok()) return cert.status();
  CertificateInfo info;
  X509_NAME* subject = X509_get_subject_name(cert->get());
  info.common_name = NameEntry(subject, NID_commonName);
  info.role = NameEntry(subject, NID_organizationalUnitName);
  info.not_before = TimeOf(X509_get0_notBefore(cert->get()));
  info.not_after = TimeOf(X509_get0_notAfter(cert->get()));
  Number serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert->get()), nullptr));
  if (char* hex = BN_bn2hex(serial.get())) {
    info.serial_hex = hex;
    OPENSSL_free(hex);
  }
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert->get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                                  static_cast<size_t>(ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      int size = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = "";
      if (size == 4 || size == 16) {
        inet_ntop(size == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text, sizeof text);
        info.ip_addresses.emplace_back(text);
      }
    }
  }
  absl::StatusOr<std::string> hash = PublicKeySha256(certificate_pem);
  if (!hash.ok()) return hash.status();
  info.public_key_sha256 = *hash;
  return info;
}

absl::Status VerifySignedBy(const std::string& certificate_pem, const std::string& ca_pem) {
  absl::StatusOr<Cert> cert = ParseCert(certificate_pem);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<Cert> ca = ParseCert(ca_pem);
  if (!ca.ok()) return ca.status();
  EVP_PKEY* ca_key = X509_get0_pubkey(ca->get());
  if (ca_key == nullptr || X509_verify(cert->get(), ca_key) != 1) {
    ERR_clear_error();
    return absl::PermissionDeniedError("the certificate was not signed by this CA");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PublicKeySha256(const std::string& certificate_pem) {
  absl::StatusOr<Cert> cert = ParseCert(certificate_pem);
  if (!cert.ok()) return cert.status();
  unsigned char* der = nullptr;
  int size = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert->get()), &der);
  if (size <= 0) return OpenSslError("encoding a public key");
  std::string hash = Sha256Hex(std::string(reinterpret_cast<char*>(der), static_cast<size_t>(size)));
  OPENSSL_free(der);
  return hash;
}

absl::Status KeyMatches(const std::string& key_pem, const std::string& certificate_pem) {
  absl::StatusOr<Key> key = ParseKey(key_pem);
  if (!key.ok()) return key.status();
  absl::StatusOr<Cert> cert = ParseCert(certificate_pem);
  if (!cert.ok()) return cert.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the key does not belong to the certificate");
  }
  return absl::OkStatus();
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return Hex(digest, size);
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  // RAND_bytes fails only when the CSPRNG cannot be seeded: nothing secure can follow.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) std::abort();
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace wsfleet::security
