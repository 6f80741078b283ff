#include "worker/outbox.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace wsfleet::worker {
namespace {

v1::Event Log(size_t bytes) {
  v1::Event event;
  event.mutable_log()->set_data(std::string(bytes, 'x'));
  return event;
}

TEST(OutboxTest, NumbersEventsAndForgetsWhatIsAcked) {
  Outbox outbox("/tmp/wsfleet-outbox-unused", 1 << 20);
  EXPECT_EQ(outbox.Add("a", Log(10)), 1u);
  EXPECT_EQ(outbox.Add("a", Log(10)), 2u);
  EXPECT_EQ(outbox.Add("b", Log(10)), 1u);
  outbox.Ack("a", 1);
  auto unacked = outbox.Unacked("a");
  ASSERT_EQ(unacked.size(), 1u);
  EXPECT_EQ(unacked[0].seq(), 2u);
  EXPECT_EQ(unacked[0].attempt_id(), "a");
  outbox.Ack("a", 2);
  EXPECT_TRUE(outbox.Empty("a"));
  EXPECT_FALSE(outbox.Empty("b"));
}

TEST(OutboxTest, BeyondTheMemoryBoundEventsSpillToDiskAndComeBackInOrder) {
  std::string spool = "/tmp/wsfleet-outbox-" + std::to_string(::getpid());
  {
    Outbox outbox(spool, 1000);  // room for about three 300-byte events
    for (int i = 0; i < 10; ++i) outbox.Add("a", Log(300));
    EXPECT_GT(outbox.spilled_events(), 0u);
    EXPECT_LE(outbox.memory_bytes(), 1000u);
    auto all = outbox.Unacked("a");  // memory and spill, in order
    ASSERT_EQ(all.size(), 10u);
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].seq(), i + 1);
    // Acks drain memory; spilled events come back and can be sent.
    uint64_t acked = 0;
    google::protobuf::RepeatedPtrField<v1::Event> batch;
    while (!outbox.Empty("a")) {
      batch.Clear();
      uint64_t last = outbox.CopyAfter("a", acked, 1 << 20, &batch);
      ASSERT_GT(last, acked);
      EXPECT_EQ(batch.Get(0).seq(), acked + 1);
      acked = last;
      outbox.Ack("a", acked);
    }
    EXPECT_EQ(acked, 10u);
  }
  EXPECT_TRUE(!std::filesystem::exists(spool) || std::filesystem::is_empty(spool));
  std::filesystem::remove_all(spool);
}

TEST(OutboxTest, DropForgetsAnAttempt) {
  Outbox outbox("/tmp/wsfleet-outbox-unused", 1 << 20);
  outbox.Add("a", Log(10));
  outbox.Drop("a");
  EXPECT_TRUE(outbox.Empty("a"));
  EXPECT_EQ(outbox.memory_bytes(), 0u);
}

}  // namespace
}  // namespace wsfleet::worker
