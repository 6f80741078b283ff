#include "cli/signals.h"

#include <pthread.h>
#include <signal.h>

#include <thread>

namespace wsfleet::cli {

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = new std::thread([this, set, on_signal = std::move(on_signal)] {
    while (!done_) {
      struct timespec timeout {0, 200'000'000};
      int signal = sigtimedwait(&set, nullptr, &timeout);
      if (signal > 0) on_signal(signal);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_ = true;
  auto* thread = static_cast<std::thread*>(thread_);
  thread->join();
  delete thread;
}

}  // namespace wsfleet::cli
