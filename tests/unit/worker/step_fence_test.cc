#include "worker/step_fence.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>

namespace wsfleet::worker {
namespace {

// A guard reads the deadline from its pipe: the one current when the pipe was opened, and
// each renewal after.
TEST(StepFenceTest, AGuardGetsTheCurrentDeadlineAndEachRenewal) {
  StepFence fence("");
  fence.RenewFor(std::chrono::seconds(10));
  StepFence::Ends ends = fence.Open();
  ASSERT_GE(ends.read, 0);
  int64_t first = 0, second = 0;
  ASSERT_EQ(::read(ends.read, &first, sizeof first), static_cast<ssize_t>(sizeof first));
  fence.RenewFor(std::chrono::seconds(20));
  ASSERT_EQ(::read(ends.read, &second, sizeof second), static_cast<ssize_t>(sizeof second));
  EXPECT_GT(second, first);
  EXPECT_FALSE(fence.Lapsed());
  ::close(ends.read);
  fence.Close(ends.write);
}

// A guard that has ended leaves a pipe without a reader until its step's runner closes it:
// a renewal then must not end the worker (SIGPIPE's default action).
TEST(StepFenceTest, ARenewalToAGuardThatIsGoneDoesNotEndTheWorker) {
  StepFence fence("");
  StepFence::Ends ends = fence.Open();
  ASSERT_GE(ends.read, 0);
  ::close(ends.read);
  fence.RenewFor(std::chrono::seconds(10));  // without the fix, the test binary dies here
  fence.RenewFor(std::chrono::milliseconds(1));
  ::usleep(5000);
  EXPECT_TRUE(fence.Lapsed());
  fence.Close(ends.write);
}

}  // namespace
}  // namespace wsfleet::worker
