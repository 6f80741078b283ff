#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace wsfleet::rendezvous {

// The worker's end of one attempt's rendezvous (wire format in wire.h): a unix socket in a
// private directory. A PUT is handed to `publish` (the worker sends it to the coordinator,
// which stores it and relays it to every rank of the gang); values come back through
// Offer(), and GETs wait for them. Values are write-once: what one rank read, no rank can
// change.
class Server {
 public:
  using Publish = std::function<void(const std::string& key, const std::string& value)>;
  explicit Server(Publish publish);
  ~Server();  // Stop()

  // Creates the socket under `runtime_dir` ($TMPDIR or /tmp when empty) and serves it.
  absl::Status Start(const std::string& runtime_dir = "");
  const std::string& socket_path() const { return socket_path_; }
  const std::string& directory() const { return directory_; }  // the socket's private directory
  // A value of the gang, relayed by the coordinator. Any thread.
  void Offer(const std::string& key, const std::string& value);
  // Fails waiting GETs, closes connections, removes the socket. Idempotent; any thread.
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);
  std::string HandlePut(const std::string& key, const std::string& value);

  Publish publish_;
  std::string directory_;
  std::string socket_path_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  bool stopping_ = false;
  std::map<std::string, std::string> values_;     // relayed: what GETs return
  std::map<std::string, std::string> published_;  // put here, maybe not relayed yet
  std::set<int> connections_;  // open client sockets, to shut down on Stop
  // Each connection has its own (detached) handler thread; Stop waits for them to end.
  int active_handlers_ = 0;
  std::condition_variable handlers_done_;
};

}  // namespace wsfleet::rendezvous
