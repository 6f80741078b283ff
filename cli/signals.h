#pragma once

#include <functional>

namespace wsfleet::cli {

// SIGINT and SIGTERM blocked in the calling thread. First thing in main, before any thread
// exists: every thread started later (gRPC's, the metrics server's) inherits the block, so
// none of them can take a stop signal and die of its default action.
void BlockStopSignals();
// The default again, for the commands that watch for neither (Ctrl-C ends them at once).
void UnblockStopSignals();

// SIGINT and SIGTERM for the long-running commands (blocked by BlockStopSignals), taken by
// one thread that calls `on_signal` (not in signal context).
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
