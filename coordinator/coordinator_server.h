#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "coordinator/coordinator_metrics.h"
#include "coordinator/scheduler.h"
#include "coordinator/status_watch.h"

namespace wsfleet::coordinator {

struct CoordinatorConfig {
  std::string listen = "127.0.0.1:0";  // host:port (0: any free port) or unix:/path
  std::string state_dir = ".wsfleet";
  std::string metrics_address;  // HOST:PORT for /metrics (port 0: any free one); empty: off
  std::string join_token;       // workers must present it; empty: any worker may join
  SchedulerOptions scheduler;
  CoordinatorMetricsOptions metrics;
};

// The coordinator process's composition root: state store, event loop, scheduler, gRPC
// services (worker sessions, control API, health, reflection). Recovery runs before the
// server accepts its first call.
class CoordinatorServer {
 public:
  static absl::StatusOr<std::unique_ptr<CoordinatorServer>> Start(const CoordinatorConfig& config);
  ~CoordinatorServer();

  const std::string& address() const { return address_; }  // what clients dial
  // http://HOST:PORT/metrics as bound; empty when metrics are off.
  const std::string& metrics_url() const { return metrics_url_; }
  common::EventLoop& loop() { return loop_; }
  Scheduler& scheduler() { return *scheduler_; }  // loop thread only
  // Calls `callback` on the loop thread with the run's status now and whenever it changes
  // (coalesced to one call per 20 ms; the end of a run at once). Any thread.
  void Watch(StatusWatchers::Callback callback);
  // Writes pending summaries (and the report, when the run is done) and publishes status.
  void Flush();
  void Shutdown();

 private:
  CoordinatorServer() = default;
  struct Parts;
  // The loop outlives the parts whose timers it holds: members are destroyed in reverse.
  common::EventLoop loop_;
  std::unique_ptr<Parts> parts_;
  Scheduler* scheduler_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::string metrics_url_;
  bool shut_down_ = false;
};

}  // namespace wsfleet::coordinator
