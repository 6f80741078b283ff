// The ready queue's order, and work parked out of it (still ready, not walked).

#include "coordinator/ready_queue.h"

#include <gtest/gtest.h>

namespace wsfleet::coordinator {
namespace {

ReadyQueue::Key KeyOf(int index, int priority) {
  ReadyQueue::Key key;
  key.index = index;
  key.priority = priority;
  key.id_number = index + 1;
  return key;
}

std::vector<int> Walk(const ReadyQueue& queue) {
  std::vector<int> indices;
  for (const ReadyQueue::Key& key : queue.Page(std::nullopt, 100)) indices.push_back(key.index);
  return indices;
}

TEST(ReadyQueueTest, ParkedWorkIsStillReadyButNotWalkedUntilUnparked) {
  ReadyQueue queue;
  for (int i = 0; i < 4; ++i) queue.Add(KeyOf(i, 3 - i));  // priority: 3 first
  EXPECT_EQ(Walk(queue), (std::vector<int>{3, 2, 1, 0}));
  queue.Park(2);
  queue.Park(2);  // twice is once
  queue.Park(7);  // not ready: nothing
  EXPECT_EQ(Walk(queue), (std::vector<int>{3, 1, 0}));
  EXPECT_TRUE(queue.Contains(2));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.parked(), 1u);
  queue.Park(0);
  queue.Remove(0);  // parked, then ended
  EXPECT_FALSE(queue.Contains(0));
  EXPECT_EQ(queue.parked(), 1u);
  queue.UnparkAll();
  EXPECT_EQ(Walk(queue), (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(queue.parked(), 0u);
  queue.Park(1);
  queue.Add(KeyOf(1, 9));  // re-keyed (a soft dependency moved it): back in the order
  EXPECT_EQ(Walk(queue), (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(queue.parked(), 0u);
}

}  // namespace
}  // namespace wsfleet::coordinator
