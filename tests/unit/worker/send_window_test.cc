// The worker's flow control on a fake clock: what holds events back, what lets them go,
// and the window that acks open again.

#include "worker/send_window.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace wsfleet::worker {
namespace {

using namespace std::chrono_literals;

v1::Event Log(uint64_t seq, size_t bytes) {
  v1::Event event;
  event.set_seq(seq);
  event.mutable_log()->set_data(std::string(bytes, 'x'));
  return event;
}

class SendWindowTest : public ::testing::Test {
 protected:
  testing::FakeClock clock_;
  int due_calls_ = 0;
  SendWindow window_{clock_, {10ms, 1000, 5000}, [this] { ++due_calls_; }};
};

TEST_F(SendWindowTest, OutputIsHeldUntilTheHoldPasses) {
  window_.Emitted(Log(1, 10));
  window_.Emitted(Log(2, 10));
  EXPECT_FALSE(window_.TakeDue());
  clock_.Advance(9ms);
  EXPECT_EQ(due_calls_, 0);
  clock_.Advance(1ms);
  EXPECT_EQ(due_calls_, 1) << "one timer for the whole hold";
  EXPECT_TRUE(window_.TakeDue());
  EXPECT_FALSE(window_.TakeDue()) << "taken";
}

TEST_F(SendWindowTest, AnEndOrEnoughOutputGoesAtOnceAndCancelsTheHold) {
  window_.Emitted(Log(1, 10));
  v1::Event end;
  end.set_seq(2);
  end.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  window_.Emitted(end);
  EXPECT_TRUE(window_.TakeDue());
  EXPECT_EQ(clock_.pending_timers(), 0u) << "the hold's timer went with the flush";
  window_.Emitted(Log(3, 1000));
  EXPECT_TRUE(window_.TakeDue()) << "hold_bytes of output";
}

TEST_F(SendWindowTest, AFullWindowWaitsForAcksThenIsDueAgain) {
  window_.Sent("a1", Log(1, 3000));
  EXPECT_TRUE(window_.has_room());
  window_.Sent("a1", Log(2, 3000));
  EXPECT_FALSE(window_.has_room());
  window_.FlushEnded();
  EXPECT_EQ(window_.SentUpTo("a1"), 2u);
  EXPECT_EQ(window_.Acked("a1", 1), 1u);
  EXPECT_TRUE(window_.has_room());
  EXPECT_TRUE(window_.TakeDue()) << "the ack made room: send the rest";
  EXPECT_EQ(window_.Acked("a1", 2), 1u);
  EXPECT_EQ(window_.in_flight_bytes(), 0u);
}

TEST_F(SendWindowTest, ANewSessionSendsEverythingUnacknowledgedAgain) {
  window_.Sent("a1", Log(1, 10));
  window_.Sent("a2", Log(1, 10));
  window_.Forget("a2");
  EXPECT_EQ(window_.SentUpTo("a2"), 0u);
  window_.Restart();
  EXPECT_EQ(window_.SentUpTo("a1"), 0u);
  EXPECT_EQ(window_.in_flight_bytes(), 0u);
  EXPECT_TRUE(window_.TakeDue());
}

}  // namespace
}  // namespace wsfleet::worker
