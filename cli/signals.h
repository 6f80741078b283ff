#pragma once

#include <functional>

namespace wsfleet::cli {

// SIGINT and SIGTERM for the long-running commands: blocked in every thread, and taken by
// one thread that calls `on_signal` (not in signal context). Call before starting threads.
// The thread waits on a signalfd and an eventfd, so destroying the watcher is immediate.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();

 private:
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  void* thread_;  // std::thread, kept out of the header
};

}  // namespace wsfleet::cli
