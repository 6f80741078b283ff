#pragma once

#include <atomic>
#include <string>
#include <thread>

// civetweb's listener (the plan page's, and prometheus-cpp's /metrics) waits for
// connections in 2-second polls and notices it was told to stop only after one: stopping
// it took 2 s, which every coordinator's stop and every `wsfleet run` paid. A connection
// to its port ends the poll at once.
namespace wsfleet::common {

// While it lives, connects to HOST:PORT every 20 ms (for at most 5 s) and closes at once.
// `host` a wildcard (0.0.0.0, ::) means this machine's loopback.
class ListenerWaker {
 public:
  ListenerWaker(std::string host, int port);
  ~ListenerWaker();
  ListenerWaker(const ListenerWaker&) = delete;
  ListenerWaker& operator=(const ListenerWaker&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace wsfleet::common
