#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "common/event_loop.h"
#include "wsfleet/v1/control.pb.h"

namespace wsfleet::coordinator {

class Scheduler;
class StateStore;

// `wsfleet logs WS [-f]`: streams a workstream's log files (each attempt in turn) and,
// with follow, what is appended until the workstream ends. Its own thread reads the files;
// what it needs of the scheduler it asks the loop for.
class LogFollower : public grpc::ServerWriteReactor<v1::LogChunk> {
 public:
  static LogFollower* Start(common::EventLoop& loop, Scheduler& scheduler, StateStore& store,
                            grpc::CallbackServerContext& context, const v1::LogsRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  LogFollower(common::EventLoop& loop, Scheduler& scheduler, StateStore& store,
              v1::LogsRequest request);
  void Run();
  bool WriteAndWait(std::string data);  // false when the stream broke or was cancelled

  common::EventLoop& loop_;
  Scheduler& scheduler_;
  StateStore& store_;
  v1::LogsRequest request_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool write_done_ = false;
  bool write_ok_ = true;
  std::atomic<bool> cancelled_{false};
  v1::LogChunk chunk_;
};

}  // namespace wsfleet::coordinator
