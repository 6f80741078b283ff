// The merge queue alone: one holder at a time, the rest in the given order.

#include "coordinator/merge_queue.h"

#include <gtest/gtest.h>

namespace wsfleet::coordinator {
namespace {

// Attempts merge in name order here ("a" before "b").
MergeQueue ByName() { return MergeQueue([](const std::string& a, const std::string& b) { return a < b; }); }

TEST(MergeQueueTest, TheFirstToAskMergesAtOnceTheOthersWaitInOrder) {
  MergeQueue queue = ByName();
  EXPECT_EQ(queue.Request("c"), "c");
  EXPECT_EQ(queue.Request("b"), std::nullopt);
  EXPECT_EQ(queue.Request("a"), std::nullopt);
  EXPECT_EQ(queue.Request("b"), std::nullopt) << "asking again changes nothing";
  EXPECT_EQ(queue.length(), 3u);
  EXPECT_EQ(queue.StateOf("c"), "merging");
  EXPECT_EQ(queue.StateOf("a"), "waiting to merge (1 ahead)");
  EXPECT_EQ(queue.StateOf("b"), "waiting to merge (2 ahead)");
  EXPECT_EQ(queue.StateOf("x"), "");
  EXPECT_EQ(queue.End("c"), "a");
  EXPECT_EQ(queue.End("a"), "b");
  EXPECT_EQ(queue.End("b"), std::nullopt);
  EXPECT_EQ(queue.length(), 0u);
}

TEST(MergeQueueTest, AWaiterThatEndsLeavesTheQueueWithoutTakingTheTurn) {
  MergeQueue queue = ByName();
  queue.Request("a");
  queue.Request("b");
  EXPECT_EQ(queue.End("b"), std::nullopt);
  EXPECT_EQ(queue.holder(), "a");
  EXPECT_EQ(queue.End("a"), std::nullopt) << "nobody is left";
  EXPECT_EQ(queue.holder(), "");
}

}  // namespace
}  // namespace wsfleet::coordinator
