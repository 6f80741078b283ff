#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "common/event_loop.h"
#include "worker/certificate_renewer.h"
#include "worker/coordinator_link.h"
#include "worker/step_fence.h"
#include "worker/stop_notice.h"
#include "worker/worker_config.h"
#include "worker/worker_core.h"
#include "worker/worker_metrics.h"

namespace wsfleet::gpu {
class Nvml;
}  // namespace wsfleet::gpu
namespace wsfleet::telemetry {
class GrpcMetrics;
class MetricsEndpoint;
}  // namespace wsfleet::telemetry
namespace wsfleet::worker {

// The worker process: its WorkerCore on an EventLoop, its gRPC link to the coordinator,
// its metrics endpoint. Run() blocks until Stop() (or until the coordinator refuses the
// worker's join token).
class Worker {
 public:
  explicit Worker(WorkerConfig config);
  ~Worker();

  // Starts the metrics endpoint (when configured); then Run().
  absl::Status Start();
  // OK once stopped; UNAUTHENTICATED when the coordinator refused the join token (retrying
  // with the same token cannot succeed).
  absl::Status Run();
  void Stop();  // any thread (signal handlers post it)
  // Any thread (the first SIGTERM): nothing new is taken; running attempts get the grace
  // period to finish, then are handed back; Run() returns once all that is acknowledged.
  // A Stop() meanwhile cuts it short.
  void Leave(const std::string& reason);
  // http://HOST:PORT/metrics as bound, after Start(); empty when off.
  const std::string& metrics_url() const { return metrics_url_; }

 private:
  void Stopped(absl::Status why);
  void RefreshMetrics();
  // Waits (off the loop) until the core is settled or `deadline` or Stop(); true if settled.
  bool WaitUntilSettled(std::chrono::steady_clock::time_point deadline);
  void LeaveInOrder();

  WorkerConfig config_;
  std::shared_ptr<prometheus::Registry> metrics_registry_;
  std::unique_ptr<telemetry::GrpcMetrics> grpc_metrics_;
  std::unique_ptr<WorkerMetrics> metrics_;
  std::unique_ptr<gpu::Nvml> nvml_;  // the GPU gauges' source; none without the driver
  std::string metrics_url_;
  std::unique_ptr<StepFence> fence_;  // before the core, whose attempts use it
  StopNotice stop_notice_;            // likewise
  common::EventLoop loop_;
  std::unique_ptr<GrpcCoordinatorLink> link_;
  std::unique_ptr<WorkerCore> core_;
  std::unique_ptr<CertificateRenewer> renewer_;  // with TLS: keeps the certificate fresh
  std::mutex stop_mutex_;
  std::condition_variable stopped_;
  bool stopped_flag_ = false;
  std::string leave_reason_;  // under stop_mutex_; set by Leave
  absl::Status exit_status_;  // why Run() returns; under stop_mutex_
  // Stopped first (declared last): a scrape in progress still finds the loop.
  std::unique_ptr<telemetry::MetricsEndpoint> metrics_endpoint_;
};

}  // namespace wsfleet::worker
