// Marking a card completed in its file: the Status field the parser found, and nothing else.

#include "common/card_status.h"

#include <gtest/gtest.h>

namespace wsfleet::common {
namespace {

WorkstreamId Id(const char* text) { return *WorkstreamId::Parse(text); }

TEST(CardStatusTest, TheStatusValueOnTheParsersLineBecomesCompleted) {
  std::string card = "# WS-01: A\n\n**Status**: Not Started\n**Duration**: 1 day\n\nStatus: words\n";
  absl::StatusOr<std::string> marked = MarkCardCompleted("a.md", card, Id("WS-01"));
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(*marked, "# WS-01: A\n\n**Status**: ✅ Completed\n**Duration**: 1 day\n\nStatus: words\n");
}

TEST(CardStatusTest, InAFileOfSeveralCardsOnlyThatCardChanges) {
  std::string plan =
      "# Plan\n\n## WS-01: A\n**Status**: In Progress\n\n## WS-02: B\n**Status:** Not Started\r\n"
      "**Dependencies**: WS-01\n";
  absl::StatusOr<std::string> marked = MarkCardCompleted("plan.md", plan, Id("ws-2"));
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(*marked,
            "# Plan\n\n## WS-01: A\n**Status**: In Progress\n\n## WS-02: B\n**Status:** ✅ Completed\r\n"
            "**Dependencies**: WS-01\n");
}

TEST(CardStatusTest, ACardWithoutStatusOrAnotherCardIsNotFound) {
  std::string card = "# WS-01: A\n\n**Duration**: 1 day\n";
  absl::StatusOr<std::string> no_status = MarkCardCompleted("a.md", card, Id("WS-01"));
  EXPECT_EQ(no_status.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(no_status.status().message(), "no **Status**: line in a.md for WS-01");
  EXPECT_EQ(MarkCardCompleted("a.md", card, Id("WS-09")).status().code(), absl::StatusCode::kNotFound);
}

TEST(CardStatusTest, TheMarkedCardParsesAsCompleted) {
  std::string card = "# WS-03: C\n\n**Status**: Not Started  \n**Priority**: P1\n";
  absl::StatusOr<std::string> marked = MarkCardCompleted("c.md", card, Id("WS-03"));
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, "# WS-03: C\n\n**Status**: ✅ Completed  \n**Priority**: P1\n");
}

}  // namespace
}  // namespace wsfleet::common
