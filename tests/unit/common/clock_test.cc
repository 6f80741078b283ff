#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

#include "common/event_loop.h"
#include "tests/support/fake_clock.h"

namespace wsfleet::common {
namespace {

using namespace std::chrono_literals;

TEST(FakeClockTest, AdvanceFiresDueTimersInDeadlineOrder) {
  testing::FakeClock clock;
  std::vector<int> fired;
  clock.RunAfter(3s, [&] { fired.push_back(3); });
  clock.RunAfter(1s, [&] { fired.push_back(1); });
  TimerId cancelled = clock.RunAfter(2s, [&] { fired.push_back(2); });
  clock.CancelTimer(cancelled);
  clock.Advance(1500ms);
  EXPECT_EQ(fired, (std::vector<int>{1}));
  clock.Advance(10s);
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(FakeClockTest, TimersAddedByTimersFireInTheSameAdvance) {
  testing::FakeClock clock;
  int count = 0;
  std::function<void()> tick = [&] {
    if (++count < 5) clock.RunAfter(1s, tick);
  };
  clock.RunAfter(1s, tick);
  clock.Advance(10s);
  EXPECT_EQ(count, 5);
}

TEST(EventLoopTest, RunsPostedTasksAndTimersOnItsThread) {
  EventLoop loop;
  loop.Start();
  std::promise<bool> on_loop;
  std::promise<void> timer_fired;
  loop.Post([&] {
    on_loop.set_value(loop.OnLoopThread());
    loop.RunAfter(10ms, [&] { timer_fired.set_value(); });
  });
  EXPECT_TRUE(on_loop.get_future().get());
  EXPECT_EQ(timer_fired.get_future().wait_for(10s), std::future_status::ready);
  int value = 0;
  loop.RunSync([&] { value = 42; });
  EXPECT_EQ(value, 42);
  loop.Stop();
  loop.Post([] {});  // after Stop: dropped, not crashed
}

TEST(EventLoopTest, RunSyncReturnsFalseWhenTheLoopIsNotRunning) {
  EventLoop loop;
  bool ran = false;
  EXPECT_FALSE(loop.RunSync([&] { ran = true; }));  // not started: no waiting forever
  loop.Start();
  EXPECT_TRUE(loop.RunSync([&] { ran = true; }));
  EXPECT_TRUE(ran);
  loop.Stop();
  EXPECT_FALSE(loop.RunSync([] {}));
}

TEST(EventLoopTest, StopReleasesRunSyncCallersWhoseTaskWillNeverRun) {
  EventLoop loop;
  loop.Start();
  std::promise<void> blocking;
  std::shared_future<void> release = blocking.get_future().share();
  loop.Post([release] { release.wait(); });  // keeps the loop busy
  std::future<bool> waiter = std::async(std::launch::async, [&] { return loop.RunSync([] {}); });
  std::this_thread::sleep_for(20ms);  // the waiter's task is queued behind the busy one
  std::thread stopper([&] { loop.Stop(); });
  std::this_thread::sleep_for(20ms);
  blocking.set_value();
  stopper.join();
  ASSERT_EQ(waiter.wait_for(10s), std::future_status::ready);
  (void)waiter.get();  // ran or dropped; either way it returned
}

}  // namespace
}  // namespace wsfleet::common
