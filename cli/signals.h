#pragma once

#include <atomic>
#include <functional>

namespace wsfleet::cli {

// SIGINT and SIGTERM for the long-running commands: blocked in every thread, and taken by
// one thread that calls `on_signal` (not in signal context). Call before starting threads.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();

 private:
  std::atomic<bool> done_{false};
  void* thread_;  // std::thread, kept out of the header
};

}  // namespace wsfleet::cli
