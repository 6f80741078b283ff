#include "common/dependency_text.h"

#include <gtest/gtest.h>

namespace wsfleet::common {
namespace {

std::vector<std::string> Ids(std::string_view text) {
  std::vector<std::string> ids;
  for (WorkstreamId id : ParseDependencyText(text).ids) ids.push_back(id.ToString());
  return ids;
}

using Strings = std::vector<std::string>;

TEST(DependencyTextTest, None) {
  for (const char* text : {"None", "None (foundation workstream)", "N/A", "-", ""}) {
    DependencyText parsed = ParseDependencyText(text);
    EXPECT_TRUE(parsed.none) << text;
    EXPECT_TRUE(parsed.ids.empty()) << text;
  }
}

TEST(DependencyTextTest, SingleAndLists) {
  EXPECT_EQ(Ids("WS-01"), Strings({"WS-01"}));
  EXPECT_EQ(Ids("WS-02, WS-03"), Strings({"WS-02", "WS-03"}));
  EXPECT_EQ(Ids("WS-02 and ws-3"), Strings({"WS-02", "WS-03"}));
}

TEST(DependencyTextTest, AnnotationsAfterIds) {
  EXPECT_EQ(Ids("WS-01 (Hardware Baselines)"), Strings({"WS-01"}));
  EXPECT_EQ(Ids("WS-04 (Rendering), WS-03 (Input)"), Strings({"WS-04", "WS-03"}));
}

TEST(DependencyTextTest, IdsInsideAnAnnotationAreOnlyMentioned) {
  DependencyText parsed = ParseDependencyText("WS-05 (not before WS-04 lands)");
  ASSERT_EQ(parsed.ids.size(), 1u);
  EXPECT_EQ(parsed.ids[0].ToString(), "WS-05");
  ASSERT_EQ(parsed.mentioned_only.size(), 1u);
  EXPECT_EQ(parsed.mentioned_only[0].ToString(), "WS-04");
}

TEST(DependencyTextTest, Ranges) {
  Strings nine_to_twelve = {"WS-09", "WS-10", "WS-11", "WS-12"};
  EXPECT_EQ(Ids("WS-09 through WS-12"), nine_to_twelve);
  EXPECT_EQ(Ids("WS-09..WS-12"), nine_to_twelve);
  EXPECT_EQ(Ids("WS-09 to WS-12"), nine_to_twelve);
  EXPECT_EQ(Ids("WS-09–WS-12"), nine_to_twelve);
  EXPECT_EQ(Ids("WS-09 – WS-12"), nine_to_twelve);
  EXPECT_EQ(Ids("WS-12 through WS-09"), nine_to_twelve);
}

TEST(DependencyTextTest, RangeInParenthesesAfterAPhrase) {
  EXPECT_EQ(Ids("All screens (WS-09 through WS-11)"), Strings({"WS-09", "WS-10", "WS-11"}));
}

TEST(DependencyTextTest, HugeRangeIsAProblemNotAMillionIds) {
  DependencyText parsed = ParseDependencyText("WS-1 through WS-999999");
  EXPECT_EQ(parsed.ids.size(), 2u);
  EXPECT_EQ(parsed.problems.size(), 1u);
}

TEST(DependencyTextTest, Placeholders) {
  EXPECT_TRUE(ParseDependencyText("WS-XX, WS-YY (or \"None\")").placeholder);
}

TEST(DependencyTextTest, HeadOfBlockedByItem) {
  EXPECT_EQ(DependencyHead("WS-02: Name - reason ✅ Complete"), "WS-02");
  EXPECT_EQ(DependencyHead("WS-01 (Hardware Baselines)"), "WS-01 (Hardware Baselines)");
  EXPECT_EQ(DependencyHead("WS-01 - needs WS-07 too"), "WS-01");
  EXPECT_EQ(DependencyHead("WS-09 - WS-12 - all screens"), "WS-09 - WS-12");
}

}  // namespace
}  // namespace wsfleet::common
