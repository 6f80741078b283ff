#pragma once

#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "common/event_loop.h"
#include "worker/attempt_runner.h"
#include "worker/outbox.h"
#include "worker/send_window.h"
#include "worker/output_gate.h"
#include "worker/worker_metrics.h"
#include "wsfleet/v1/worker.grpc.pb.h"

namespace wsfleet::worker {

class CoordinatorSession;
}  // namespace wsfleet::worker
namespace wsfleet::gpu {
class Nvml;
}  // namespace wsfleet::gpu
namespace wsfleet::telemetry {
class GrpcMetrics;
class MetricsEndpoint;
}  // namespace wsfleet::telemetry
namespace wsfleet::worker {

struct WorkerConfig {
  std::string coordinator;  // host:port or unix:/path
  std::string worker_id;
  uint32_t slots = 1;
  std::map<std::string, std::string> labels;
  std::vector<v1::GpuDevice> gpus;  // offered to the coordinator (see gpu_inventory.h)
  std::string gpu_note;             // why none are offered although there are some
  std::string spool_dir;    // where the outbox spills; default <workdir>/.wsfleet/spool/<id>
  size_t outbox_memory_bytes = size_t{64} << 20;
  std::string metrics_address;  // HOST:PORT for /metrics (port 0: any free one); empty: off
  std::string join_token;       // presented in Hello; a coordinator that wants one refuses others
  // From `wsfleet run`: presented in Hello; a coordinator with the same token shares this
  // machine and has this worker write its attempts' logs into the state directory itself.
  std::string log_token;
  AttemptRunnerOptions runner;
};

// The worker process's composition root: a session to the coordinator (reconnecting with
// backoff), the attempts it runs, and the outbox of their unacknowledged events.
// Run() blocks until Stop() (or until the coordinator refuses the worker's join token);
// everything else happens on the worker's loop.
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
  // http://HOST:PORT/metrics as bound, after Start(); empty when off.
  const std::string& metrics_url() const { return metrics_url_; }

 private:
  void Connect();
  void OnMessage(const v1::CoordinatorMessage& message);
  void OnSessionEnded(CoordinatorSession* session, const grpc::Status& status);
  void OnWelcome(const v1::Welcome& welcome);
  void OnAssign(const v1::AttemptSpec& spec);
  size_t Running() const;  // started and not ended
  void StartQueued();
  // Takes `attempt_id` out of the queue if it waits there; false if it is not queued.
  bool Unqueue(const std::string& attempt_id);
  void CancelAttempt(const std::string& attempt_id, const std::string& reason);
  void OnEmitted(const std::string& attempt_id, v1::Event event);
  // Sends what the window allows, once something urgent waits or the hold has passed.
  void FlushEvents();
  void Heartbeat();
  void ReapFinished();
  void RefreshMetrics();

  WorkerConfig config_;
  std::shared_ptr<prometheus::Registry> metrics_registry_;
  std::unique_ptr<telemetry::GrpcMetrics> grpc_metrics_;
  std::unique_ptr<WorkerMetrics> metrics_;
  std::unique_ptr<gpu::Nvml> nvml_;  // the GPU gauges' source; none without the driver
  std::string metrics_url_;
  common::EventLoop loop_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::WorkerService::Stub> stub_;
  CoordinatorSession* session_ = nullptr;  // loop thread only
  bool welcomed_ = false;
  common::TimerId heartbeat_timer_ = 0;
  common::Nanos heartbeat_interval_ = std::chrono::seconds(2);
  common::Nanos reconnect_delay_ = std::chrono::milliseconds(200);
  std::mt19937 random_{std::random_device{}()};
  Outbox outbox_;
  // Three quarters of the outbox's memory: room for a send window in flight and the next
  // one queued, and for the non-output events, without spilling while connected.
  OutputGate output_gate_{config_.outbox_memory_bytes / 4 * 3};
  std::map<std::string, std::unique_ptr<AttemptRunner>> runners_;
  std::set<std::string> ended_;  // attempts whose AttemptFinished is in the outbox
  // Assigned beyond the free slots: started in this order as slots free.
  std::deque<std::string> queued_;
  // Attempts that ended without success, until the coordinator has stored that end: the
  // queue waits for them, so that a failure that halts the run (and takes the queue back,
  // revokes arriving before the acknowledgement) starts nothing new here.
  std::set<std::string> unacked_failures_;
  // Flow control: the event hold and the send window (see send_window.h).
  SendWindow window_{loop_, {}, [this] { FlushEvents(); }};
  bool stopping_ = false;
  std::mutex stop_mutex_;
  std::condition_variable stopped_;
  bool stopped_flag_ = false;
  absl::Status exit_status_;  // why Run() returns; under stop_mutex_
  // Stopped first (declared last): a scrape in progress still finds the loop.
  std::unique_ptr<telemetry::MetricsEndpoint> metrics_endpoint_;
};

}  // namespace wsfleet::worker
