#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace wsfleet::worker {

// Backpressure for step output, as a pipe gives its writer: an attempt's thread waits in
// Acquire() before handing more output to the worker's loop while the worker already holds
// more unacknowledged output than `limit` and a coordinator is connected to drain it. Then
// the outbox need not spill output to disk only to read it back a moment later. While no
// coordinator is connected nothing waits (the outbox spills, so steps run on), and no wait
// lasts longer than `max_wait` (a stalled coordinator costs a spill, not a stalled step).
// Acquire() on attempt threads; the rest on the loop thread (any thread is safe).
class OutputGate {
 public:
  explicit OutputGate(size_t limit,
                      std::chrono::milliseconds max_wait = std::chrono::milliseconds(2000))
      : limit_(limit), max_wait_(max_wait) {}

  // Waits for room for `bytes` more (see above), then counts them as on their way.
  void Acquire(size_t bytes);
  // Output counted by Acquire() reached the outbox (its bytes are in SetHeld's count now).
  void Arrived(size_t bytes);
  // What the outbox holds in memory now (unacknowledged events).
  void SetHeld(size_t bytes);
  // Whether a coordinator is connected and acknowledging; false releases every waiter.
  void SetDraining(bool draining);

  size_t pending() const;  // held + on their way

 private:
  mutable std::mutex mutex_;
  std::condition_variable room_;
  const size_t limit_;
  const std::chrono::milliseconds max_wait_;
  size_t held_ = 0;
  size_t on_the_way_ = 0;
  bool draining_ = false;
};

}  // namespace wsfleet::worker
