#include "security/certificates.h"

#include <gtest/gtest.h>

namespace wsfleet::security {
namespace {

using namespace std::chrono_literals;

class CertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<KeyAndCertificate> ca = CreateCa("test CA", now_ - 1h, now_ + 24h * 365);
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *ca;
  }
  CertificateProfile Profile(const std::string& name, const std::string& role) const {
    return CertificateProfile{name, role, {}, {}, now_ - 1h, now_ + 24h, false};
  }
  SystemTime now_ = std::chrono::system_clock::from_time_t(1796256000);  // 2026-12-03
  KeyAndCertificate ca_;
};

TEST_F(CertificatesTest, AServerCertificateCarriesItsNamesAndIsSignedByTheCa) {
  CertificateProfile profile = Profile("wsfleet-coordinator", kRoleCoordinator);
  profile.server = true;
  profile.dns_names = {"wsfleet-coordinator", "node-1"};
  profile.ip_addresses = {"10.200.0.1", "::1"};
  absl::StatusOr<std::string> key = NewPrivateKey();
  ASSERT_TRUE(key.ok());
  absl::StatusOr<std::string> cert = IssueForKey(ca_, *key, profile);
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<CertificateInfo> info = ReadCertificate(*cert);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->common_name, "wsfleet-coordinator");
  EXPECT_EQ(info->role, "coordinator");
  EXPECT_EQ(info->dns_names, (std::vector<std::string>{"wsfleet-coordinator", "node-1"}));
  EXPECT_EQ(info->ip_addresses, (std::vector<std::string>{"10.200.0.1", "::1"}));
  EXPECT_EQ(info->not_after, now_ + 24h);
  EXPECT_TRUE(VerifySignedBy(*cert, ca_.certificate_pem).ok());
  EXPECT_TRUE(KeyMatches(*key, *cert).ok());
  absl::StatusOr<std::string> other_key = NewPrivateKey();
  EXPECT_FALSE(KeyMatches(*other_key, *cert).ok());
}

TEST_F(CertificatesTest, ARequestGivesItsKeyButNotItsName) {
  absl::StatusOr<std::string> key = NewPrivateKey();
  absl::StatusOr<std::string> request = CreateRequest(*key, "admin-please");
  ASSERT_TRUE(request.ok()) << request.status();
  absl::StatusOr<std::string> cert = IssueForRequest(ca_, *request, Profile("gpu-node-7", kRoleWorker));
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<CertificateInfo> info = ReadCertificate(*cert);
  EXPECT_EQ(info->common_name, "gpu-node-7");
  EXPECT_EQ(info->role, "worker");
  EXPECT_TRUE(KeyMatches(*key, *cert).ok());
}

TEST_F(CertificatesTest, ATamperedRequestIsRefused) {
  absl::StatusOr<std::string> key = NewPrivateKey();
  absl::StatusOr<std::string> request = CreateRequest(*key, "w");
  std::string tampered = *request;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(IssueForRequest(ca_, tampered, Profile("w", kRoleWorker)).ok());
  EXPECT_FALSE(IssueForRequest(ca_, "junk", Profile("w", kRoleWorker)).ok());
}

TEST_F(CertificatesTest, AnotherCasCertificateDoesNotVerify) {
  absl::StatusOr<KeyAndCertificate> other = CreateCa("other CA", now_ - 1h, now_ + 24h);
  absl::StatusOr<std::string> key = NewPrivateKey();
  absl::StatusOr<std::string> cert = IssueForKey(*other, *key, Profile("w", kRoleWorker));
  EXPECT_EQ(VerifySignedBy(*cert, ca_.certificate_pem).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(*PublicKeySha256(other->certificate_pem), *PublicKeySha256(ca_.certificate_pem));
  EXPECT_EQ(PublicKeySha256(ca_.certificate_pem)->size(), 64u);
}

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

}  // namespace
}  // namespace wsfleet::security
