#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>
#include <string>

#include <grpcpp/grpcpp.h>

#include "wsfleet/v1/worker.grpc.pb.h"

namespace wsfleet::worker {

// The worker's way to its coordinator: it opens sessions. gRPC in the daemon
// (GrpcCoordinatorLink); a test scripts the coordinator's side instead.
class CoordinatorLink {
 public:
  using OnMessage = std::function<void(v1::CoordinatorMessage)>;
  using OnEnd = std::function<void(grpc::Status)>;

  // One session stream. Its owner may go on calling it after its on_end (then nothing
  // happens): the session lives while the owner's reference does.
  class Session {
   public:
    virtual ~Session() = default;
    virtual void Send(v1::WorkerMessage message) = 0;  // any thread
    virtual void Close() = 0;                          // any thread: ends it (on_end follows)
  };

  virtual ~CoordinatorLink() = default;
  // Opens a session that sends `hello` first. Its messages and its end arrive through the
  // callbacks, on any thread.
  virtual std::shared_ptr<Session> Open(const v1::WorkerMessage& hello, OnMessage on_message, OnEnd on_end) = 0;
};

// How many sessions of a link are alive; each holds one Hold until its last member is gone.
class LiveSessions {
 public:
  class Hold {
   public:
    explicit Hold(std::shared_ptr<LiveSessions> live);
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    std::shared_ptr<LiveSessions> live_;
  };
  // True once none is alive; false at `deadline`.
  bool WaitUntilNone(std::chrono::steady_clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable none_;
  int count_ = 0;
};

// Sessions over a gRPC channel (reconnecting underneath as gRPC does). Any thread.
class GrpcCoordinatorLink : public CoordinatorLink {
 public:
  explicit GrpcCoordinatorLink(std::shared_ptr<grpc::Channel> channel) { UseChannel(std::move(channel)); }
  // Waits (10 s at most) until every session it opened is gone. A session ends on a gRPC
  // thread, and its ClientContext may hold the channel's last reference: let go there, the
  // channel's destructor would join that very thread.
  ~GrpcCoordinatorLink() override;
  std::shared_ptr<Session> Open(const v1::WorkerMessage& hello, OnMessage on_message, OnEnd on_end) override;
  // Sessions opened from now on use `channel` (one with a renewed certificate); an open
  // session keeps its own, which stays alive with it.
  void UseChannel(std::shared_ptr<grpc::Channel> channel);

 private:
  std::shared_ptr<LiveSessions> live_ = std::make_shared<LiveSessions>();
  std::mutex mutex_;
  // Every channel used so far, newest last: a session may outlive a renewal. One a month.
  std::vector<std::pair<std::shared_ptr<grpc::Channel>, std::unique_ptr<v1::WorkerService::Stub>>> channels_;
};

}  // namespace wsfleet::worker
