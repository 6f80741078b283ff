#include "ui/viewer_logins.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace wsfleet::ui {
namespace {

class ViewerLoginsTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
  int made_ = 0;
  ViewerLogins logins_{clock_, [this] { return "token-" + std::to_string(++made_); }};
};

TEST_F(ViewerLoginsTest, ALoginOpensOneSession) {
  std::string token = logins_.IssueLogin();
  absl::StatusOr<std::string> session = logins_.Redeem(token);
  ASSERT_TRUE(session.ok()) << session.status();
  EXPECT_NE(*session, token) << "the cookie is not the URL's token";
  EXPECT_TRUE(logins_.SessionValid(*session));
  EXPECT_FALSE(logins_.SessionValid("token-1"));
  EXPECT_FALSE(logins_.SessionValid(""));
}

TEST_F(ViewerLoginsTest, AUsedTokenIsRefusedAndSaysSo) {
  std::string token = logins_.IssueLogin();
  ASSERT_TRUE(logins_.Redeem(token).ok());
  absl::StatusOr<std::string> again = logins_.Redeem(token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(again.status().message().find("used already"), std::string_view::npos) << again.status();
}

TEST_F(ViewerLoginsTest, AWrongTokenIsRefused) {
  logins_.IssueLogin();
  absl::StatusOr<std::string> wrong = logins_.Redeem("token-99");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("unknown login"), std::string_view::npos) << wrong.status();
  EXPECT_FALSE(logins_.Redeem("").ok());
}

TEST_F(ViewerLoginsTest, ALoginExpiresUnusedAndASessionAfterItsLifetime) {
  std::string late = logins_.IssueLogin();
  clock_.Advance(ViewerLogins::kLoginLifetime + std::chrono::seconds(1));
  EXPECT_FALSE(logins_.Redeem(late).ok());

  std::string token = logins_.IssueLogin();
  clock_.Advance(ViewerLogins::kLoginLifetime - std::chrono::seconds(1));
  absl::StatusOr<std::string> session = logins_.Redeem(token);
  ASSERT_TRUE(session.ok()) << "good until its lifetime ends: " << session.status();
  clock_.Advance(ViewerLogins::kSessionLifetime - std::chrono::seconds(1));
  EXPECT_TRUE(logins_.SessionValid(*session));
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_FALSE(logins_.SessionValid(*session));
}

TEST_F(ViewerLoginsTest, LoginsAskedForInALoopAreBounded) {
  std::string first = logins_.IssueLogin();
  clock_.Advance(std::chrono::milliseconds(1));
  for (size_t i = 0; i < ViewerLogins::kMostHeld + 10; ++i) logins_.IssueLogin();
  EXPECT_FALSE(logins_.Redeem(first).ok()) << "the oldest went";
  std::string newest = logins_.IssueLogin();
  EXPECT_TRUE(logins_.Redeem(newest).ok());
}

}  // namespace
}  // namespace wsfleet::ui
