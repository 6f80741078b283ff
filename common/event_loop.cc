#include "common/event_loop.h"

#include <future>
#include <memory>

namespace wsfleet::common {

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void EventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  running_ = false;
  // What was still queued never runs: dropping it now releases RunSync() callers waiting
  // on it (their promises break) instead of leaving them until the loop is destroyed.
  std::deque<std::pair<SteadyTime, std::function<void()>>> dropped;
  std::lock_guard<std::mutex> lock(mutex_);
  dropped.swap(tasks_);
}

void EventLoop::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    tasks_.emplace_back(std::chrono::steady_clock::now(), std::move(task));
  }
  wake_.notify_one();
}

bool EventLoop::RunSync(const std::function<void()>& task) {
  if (!running_) return false;
  // The promise lives in the task: if the loop drops the task, the future sees it broken.
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  // RunSync keeps no reference of its own, or a dropped task could not break the promise.
  Post([task, done = std::move(done)] {
    task();
    done->set_value();
  });
  try {
    finished.get();
    return true;
  } catch (const std::future_error&) {
    return false;
  }
}

Nanos EventLoop::last_queue_delay() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_queue_delay_;
}

TimerId EventLoop::RunAfter(Nanos delay, std::function<void()> callback) {
  TimerId id = timers_.Add(Now() + delay, std::move(callback));
  // Timers are added on the loop thread itself, which recomputes its wait each turn.
  return id;
}

void EventLoop::CancelTimer(TimerId id) { timers_.Cancel(id); }

void EventLoop::Run() {
  std::deque<std::pair<SteadyTime, std::function<void()>>> batch;
  while (true) {
    bool timers_ran = false;
    while (auto due = timers_.PopDue(Now())) {
      (*due)();
      timers_ran = true;
    }
    if (timers_ran && batch_end_hook_) batch_end_hook_();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto ready = [&] { return stopping_ || !tasks_.empty(); };
      if (std::optional<SteadyTime> next = timers_.NextDeadline()) {
        wake_.wait_until(lock, *next, ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (stopping_) return;
      if (tasks_.empty()) continue;  // a timer is due
      batch.swap(tasks_);
      last_queue_delay_ = Now() - batch.front().first;
    }
    // Everything queued so far runs as one batch, then the hook: events that arrived
    // together are committed together.
    for (auto& task : batch) task.second();
    batch.clear();
    if (batch_end_hook_) batch_end_hook_();
  }
}

}  // namespace wsfleet::common
