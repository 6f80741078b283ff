#include "ui/live_feed.h"

#include <gtest/gtest.h>

#include <thread>

namespace wsfleet::ui {
namespace {

v1::RunStatus Status(const std::string& plan, bool done) {
  v1::RunStatus status;
  status.set_plan_id(plan);
  status.set_done(done);
  return status;
}

// Waits that end on their own: the deadline is in the past or a status is already there.
TEST(LiveFeedTest, HandsOverOnlyTheNewestOfAPlan) {
  LiveFeed feed;
  uint64_t seen = 0;
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(feed.WaitNewer("p", &seen, now), nullptr) << "nothing yet";
  feed.Publish(Status("p", false));
  feed.Publish(Status("other", false));
  feed.Publish(Status("p", true));
  std::shared_ptr<const v1::RunStatus> got = feed.WaitNewer("p", &seen, now);
  ASSERT_NE(got, nullptr);
  EXPECT_TRUE(got->done()) << "the newest, the one between skipped";
  EXPECT_EQ(feed.WaitNewer("p", &seen, now), nullptr) << "nothing newer since";
}

TEST(LiveFeedTest, AWaiterWakesOnAPublishFromAnotherThread) {
  LiveFeed feed;
  uint64_t seen = 0;
  std::thread publisher([&] { feed.Publish(Status("p", false)); });
  std::shared_ptr<const v1::RunStatus> got =
      feed.WaitNewer("p", &seen, std::chrono::steady_clock::now() + std::chrono::seconds(30));
  publisher.join();
  EXPECT_NE(got, nullptr);
}

TEST(LiveFeedTest, StopWakesEveryWaiterForGood) {
  LiveFeed feed;
  uint64_t seen = 0;
  std::thread stopper([&] { feed.Stop(); });
  EXPECT_EQ(feed.WaitNewer("p", &seen, std::chrono::steady_clock::now() + std::chrono::seconds(30)), nullptr);
  stopper.join();
  EXPECT_TRUE(feed.stopped());
  EXPECT_FALSE(feed.PauseUntil(std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  feed.Publish(Status("p", false));
  EXPECT_EQ(feed.WaitNewer("p", &seen, std::chrono::steady_clock::now() + std::chrono::seconds(30)), nullptr);
}

}  // namespace
}  // namespace wsfleet::ui
