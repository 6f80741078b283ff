#include "coordinator/worker_session.h"

#include <gtest/gtest.h>

namespace wsfleet::coordinator {
namespace {

TEST(TokensEqualTest, OnlyTheSameBytesMatch) {
  EXPECT_TRUE(TokensEqual("secret-token", "secret-token"));
  EXPECT_FALSE(TokensEqual("secret-tokeN", "secret-token"));
  EXPECT_FALSE(TokensEqual("secret", "secret-token"));        // a prefix
  EXPECT_FALSE(TokensEqual("secret-token-and-more", "secret-token"));
  EXPECT_FALSE(TokensEqual("", "secret-token"));
  EXPECT_TRUE(TokensEqual("", ""));
  EXPECT_FALSE(TokensEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace wsfleet::coordinator
