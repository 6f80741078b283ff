#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/executor.h"
#include "common/timer_queue.h"

namespace wsfleet::common {

// One thread that owns a component's state: other threads (gRPC reactors, signal
// handlers) Post() work to it; timers fire on it. It is also that component's Clock.
// Post() and Stop() are safe from any thread; the Clock methods only on the loop thread.
class EventLoop : public Clock, public Executor {
 public:
  EventLoop() = default;
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void Start();  // runs the loop on its own thread
  void Stop();   // finishes the task running now, drops the rest, joins
  void Post(std::function<void()> task) override;
  // Runs after each batch of tasks that were queued together, and after the timers that
  // fell due together (set before Start()): where the coordinator group-commits the events
  // those tasks brought in, and writes what they sent.
  void SetBatchEndHook(std::function<void()> hook) { batch_end_hook_ = std::move(hook); }
  // Posts `task` and waits for it to run; false when the loop is not running (not started
  // yet, or stopped first). Must not be called on the loop thread.
  bool RunSync(const std::function<void()>& task);
  bool OnLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // How long the oldest queued task waited before it ran, last time (loop lag).
  Nanos last_queue_delay() const;

  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  TimerId RunAfter(Nanos delay, std::function<void()> callback) override;
  void CancelTimer(TimerId id) override;

 private:
  void Run();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<SteadyTime, std::function<void()>>> tasks_;
  bool stopping_ = false;
  Nanos last_queue_delay_{0};
  TimerQueue timers_;  // loop thread only
  std::function<void()> batch_end_hook_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace wsfleet::common
