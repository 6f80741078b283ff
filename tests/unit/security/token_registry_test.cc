#include "security/token_registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "security/join_token.h"

namespace wsfleet::security {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TokenRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-tokens-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "tokens.json").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
  SystemTime now_ = std::chrono::system_clock::from_time_t(1796256000);
  const std::string hash_ = std::string(64, 'a');
};

TEST_F(TokenRegistryTest, ATokenJoinsUntilItExpiresOrIsRevoked) {
  absl::StatusOr<TokenRegistry> registry = TokenRegistry::Open(path_);
  ASSERT_TRUE(registry.ok());
  absl::StatusOr<JoinToken> token = registry->Create(now_, 24h, hash_, {{"pool", "dgx"}}, "rack 3");
  ASSERT_TRUE(token.ok());
  absl::StatusOr<JoinToken> parsed = ParseJoinToken(FormatJoinToken(*token));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->ca_hash, hash_);
  absl::StatusOr<TokenEntry> entry = registry->Authenticate(*parsed, now_ + 1h);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->labels.at("pool"), "dgx");
  EXPECT_EQ(entry->uses, 1u);
  EXPECT_EQ(registry->Authenticate(*parsed, now_ + 25h).status().message(),
            "join token " + token->id + " has expired");
  JoinToken wrong = *parsed;
  wrong.secret[0] = wrong.secret[0] == '0' ? '1' : '0';
  EXPECT_EQ(registry->Authenticate(wrong, now_).status().message(), "join token " + token->id + " is not valid");
  ASSERT_TRUE(registry->Revoke(token->id).ok());
  EXPECT_EQ(registry->Authenticate(*parsed, now_).status().message(), "join token " + token->id + " was revoked");
  EXPECT_FALSE(registry->Revoke("zzzzzz").ok());
}

TEST_F(TokenRegistryTest, OnlyTheSecretsHashIsKeptAndTheFileIsPrivate) {
  absl::StatusOr<TokenRegistry> registry = TokenRegistry::Open(path_);
  absl::StatusOr<JoinToken> token = registry->Create(now_, 0s, hash_, {}, "");
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(token->secret), std::string::npos);
  EXPECT_NE(text.find(token->id), std::string::npos);
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // Reopened (a restart), it still knows the token; it never expires.
  absl::StatusOr<TokenRegistry> again = TokenRegistry::Open(path_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->Authenticate(*token, now_ + 24h * 3650).ok()) ;
}

TEST_F(TokenRegistryTest, ARegisteredTokenIsIdempotentAndCannotBeRekeyed) {
  absl::StatusOr<TokenRegistry> registry = TokenRegistry::Open(path_);
  JoinToken token{"abc123", std::string(32, '7'), ""};
  EXPECT_TRUE(registry->Register(token, now_, "from a file").ok());
  EXPECT_TRUE(registry->Register(token, now_, "from a file").ok());
  EXPECT_EQ(registry->entries().size(), 1u);
  JoinToken rekeyed = token;
  rekeyed.secret = std::string(32, '8');
  EXPECT_EQ(registry->Register(rekeyed, now_, "").code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(TokenRegistryTest, AFileOthersCanReadIsRefused) {
  absl::StatusOr<TokenRegistry> registry = TokenRegistry::Open(path_);
  ASSERT_TRUE(registry->Create(now_, 0s, hash_, {}, "").ok());
  ::chmod(path_.c_str(), 0644);
  absl::StatusOr<TokenRegistry> again = TokenRegistry::Open(path_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(again.status().message().find("readable by others"), std::string::npos);
}

TEST(JoinTokenTest, MalformedTokensAreRefusedWithoutEchoingTheSecret) {
  EXPECT_FALSE(ParseJoinToken("").ok());
  EXPECT_FALSE(ParseJoinToken("a-good-random-token").ok());
  EXPECT_FALSE(ParseJoinToken("wsf1.ABCDEF." + std::string(32, 'a')).ok());
  EXPECT_FALSE(ParseJoinToken("wsf1.abcdef." + std::string(31, 'a')).ok());
  absl::Status bad = ParseJoinToken("wsf1.abcdef.secretsecretsecretsecretsecretsec").status();
  EXPECT_EQ(bad.message().find("secretsecret"), std::string::npos);
  EXPECT_FALSE(ParseJoinToken("wsf1.abcdef." + std::string(32, 'a') + ".abc").ok());
  absl::StatusOr<JoinToken> unpinned = ParseJoinToken("wsf1.abcdef." + std::string(32, 'a'));
  ASSERT_TRUE(unpinned.ok());
  EXPECT_TRUE(unpinned->ca_hash.empty());
}

}  // namespace
}  // namespace wsfleet::security
