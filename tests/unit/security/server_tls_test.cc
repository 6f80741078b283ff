#include "security/server_tls.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "security/client_identity.h"
#include "security/secret_file.h"

namespace wsfleet::security {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class ServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-tls-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static unsigned Mode(const fs::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 0777;
  }
  fs::path dir_;
  SystemTime now_ = std::chrono::system_clock::from_time_t(1796256000);
};

TEST_F(ServerTlsTest, FirstStartMakesAPrivatePkiThatLaterStartsKeep) {
  absl::StatusOr<ServerTls> first = LoadOrCreateServerTls((dir_ / "tls").string(), {"10.0.0.5", "node-a"}, now_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->can_issue());
  EXPECT_EQ(Mode(dir_ / "tls"), 0700u);
  for (const char* file : {"ca.crt", "ca.key", "server.crt", "server.key"}) EXPECT_EQ(Mode(dir_ / "tls" / file), 0600u) << file;
  absl::StatusOr<CertificateInfo> server = ReadCertificate(first->server.certificate_pem);
  EXPECT_EQ(server->dns_names, (std::vector<std::string>{"node-a", "wsfleet-coordinator"}));
  EXPECT_EQ(server->ip_addresses, (std::vector<std::string>{"10.0.0.5"}));

  absl::StatusOr<ServerTls> again = LoadOrCreateServerTls((dir_ / "tls").string(), {"node-a"}, now_ + 24h);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ca_public_key_sha256, first->ca_public_key_sha256);
  EXPECT_EQ(again->server.certificate_pem, first->server.certificate_pem) << "every name is there: kept";

  absl::StatusOr<ServerTls> moved = LoadOrCreateServerTls((dir_ / "tls").string(), {"10.0.0.6"}, now_ + 24h);
  EXPECT_EQ(moved->ca_public_key_sha256, first->ca_public_key_sha256) << "the CA stays: tokens still pin it";
  EXPECT_NE(moved->server.certificate_pem, first->server.certificate_pem) << "a new address: made again";

  absl::StatusOr<ServerTls> late = LoadOrCreateServerTls((dir_ / "tls").string(), {"10.0.0.6"}, now_ + 24h * 340);
  EXPECT_NE(late->server.certificate_pem, moved->server.certificate_pem) << "30 days before it expires: made again";
}

TEST_F(ServerTlsTest, AKeyOthersCanReadIsRefused) {
  ASSERT_TRUE(LoadOrCreateServerTls((dir_ / "tls").string(), {}, now_).ok());
  ::chmod((dir_ / "tls" / "ca.key").c_str(), 0640);
  absl::StatusOr<ServerTls> loaded = LoadOrCreateServerTls((dir_ / "tls").string(), {}, now_);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("ca.key is readable by others"), std::string::npos);
}

TEST_F(ServerTlsTest, AnExternalPkisFilesAreCheckedAndNamedInErrors) {
  ASSERT_TRUE(LoadOrCreateServerTls((dir_ / "tls").string(), {}, now_).ok());
  std::string tls = (dir_ / "tls").string();
  absl::StatusOr<ServerTls> external =
      LoadExternalServerTls(tls + "/server.crt", tls + "/server.key", tls + "/ca.crt", "");
  ASSERT_TRUE(external.ok()) << external.status();
  EXPECT_FALSE(external->can_issue());
  absl::StatusOr<ServerTls> mismatched =
      LoadExternalServerTls(tls + "/server.crt", tls + "/ca.key", tls + "/ca.crt", "");
  EXPECT_NE(mismatched.status().message().find("--tls-key"), std::string::npos);
  absl::StatusOr<ServerTls> missing = LoadExternalServerTls(tls + "/nope.crt", tls + "/server.key", tls + "/ca.crt", "");
  EXPECT_NE(missing.status().message().find("nope.crt"), std::string::npos);
}

TEST_F(ServerTlsTest, ACredentialsFileRoundTrips) {
  absl::StatusOr<ServerTls> tls = LoadOrCreateServerTls((dir_ / "tls").string(), {}, now_);
  ClientIdentity identity{tls->server.key_pem, tls->server.certificate_pem, tls->ca.certificate_pem,
                          "wsfleet-coordinator", {{"pool", "dgx"}, {"rack", "3"}}};
  std::string path = (dir_ / "me.pem").string();
  ASSERT_TRUE(WriteClientIdentity(path, identity, "test").ok());
  EXPECT_EQ(Mode(path), 0600u);
  absl::StatusOr<ClientIdentity> read = ReadClientIdentity(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->certificate_pem, identity.certificate_pem);
  EXPECT_EQ(read->ca_pem, identity.ca_pem);
  EXPECT_EQ(read->server_name, "wsfleet-coordinator");
  EXPECT_EQ(read->labels, identity.labels);
  EXPECT_FALSE(ParseClientIdentity(identity.certificate_pem, "x.pem").ok());
}

}  // namespace
}  // namespace wsfleet::security
