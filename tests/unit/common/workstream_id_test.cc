#include "common/workstream_id.h"

#include <gtest/gtest.h>

namespace wsfleet::common {
namespace {

TEST(WorkstreamIdTest, NormalizesSpellings) {
  for (const char* text : {"WS-01", "WS-1", "ws-1", "WS_01", "ws01", "WS-001", " WS 1 "}) {
    std::optional<WorkstreamId> id = WorkstreamId::Parse(text);
    ASSERT_TRUE(id.has_value()) << text;
    EXPECT_EQ(id->ToString(), "WS-01") << text;
  }
  EXPECT_EQ(WorkstreamId::Parse("WS-123")->ToString(), "WS-123");
}

TEST(WorkstreamIdTest, RejectsNonIds) {
  for (const char* text : {"", "WS", "WS-", "WS-XX", "NEWS-1", "WS-1a", "WS-1 and more",
                           "WS-1234567"}) {
    EXPECT_FALSE(WorkstreamId::Parse(text).has_value()) << text;
  }
}

TEST(WorkstreamIdTest, FindsMentionsAtWordBoundaries) {
  std::vector<IdMention> mentions = FindIdMentions("news-1, WS-02 and (ws-3), WS-XX, WSX");
  ASSERT_EQ(mentions.size(), 3u);
  EXPECT_EQ(mentions[0].id.ToString(), "WS-02");
  EXPECT_EQ(mentions[1].id.ToString(), "WS-03");
  EXPECT_TRUE(mentions[2].placeholder);
}

}  // namespace
}  // namespace wsfleet::common
