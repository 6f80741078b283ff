#include "common/text.h"

#include <gtest/gtest.h>

#include "common/utf8.h"

namespace wsfleet::common {
namespace {

TEST(TextTest, NormalizeHeadingDropsDecorationsAndNotes) {
  EXPECT_EQ(NormalizeHeading("Verification Steps (Agent Self-Check)"), "verification steps");
  EXPECT_EQ(NormalizeHeading("✅ **Test  Commands**"), "test commands");
}

TEST(TextTest, TruncatesByCodePoints) {
  EXPECT_EQ(TruncateToWidth("héllo", 10), "héllo");
  EXPECT_EQ(TruncateToWidth("héllo world", 4), "hél\xE2\x80\xA6");
  EXPECT_EQ(DisplayWidth("→é"), 2u);
}

TEST(Utf8Test, AcceptsText) {
  EXPECT_FALSE(CheckText("plain\n✅ emoji 🚀\n").has_value());
}

TEST(Utf8Test, ReportsLineOfInvalidByte) {
  std::optional<TextProblem> problem = CheckText("ok\nstill ok\nbad \xC3\x28 here\n");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->line, 3);
  EXPECT_NE(problem->message.find("invalid UTF-8"), std::string::npos);
}

TEST(Utf8Test, RejectsOverlongsSurrogatesTruncationAndNul) {
  EXPECT_TRUE(CheckText("\xC0\xAF").has_value());          // overlong '/'
  EXPECT_TRUE(CheckText("\xED\xA0\x80").has_value());      // surrogate
  EXPECT_TRUE(CheckText("\xE2\x9C").has_value());          // cut short
  EXPECT_TRUE(CheckText("\xF4\x90\x80\x80").has_value());  // above U+10FFFF
  EXPECT_TRUE(CheckText(std::string("a\0b", 3)).has_value());
}

}  // namespace
}  // namespace wsfleet::common

namespace wsfleet::common {
namespace {

TEST(UtcDateTimeTest, WritesUnixMillisecondsAsUtcAndNeverAsADash) {
  EXPECT_EQ(UtcDateTime(1'796'345'400'000), "2026-12-04 00:50:00Z");
  EXPECT_EQ(UtcDateTime(0), "-");
  EXPECT_EQ(UtcDateTime(-5), "-");
}

}  // namespace
}  // namespace wsfleet::common
