#include "worker/worker.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "common/hostname.h"
#include "gpu/telemetry.h"
#include "proto/grpc_settings.h"
#include "telemetry/grpc_metrics.h"
#include "telemetry/metrics_endpoint.h"

namespace wsfleet::worker {

Worker::Worker(WorkerConfig config)
    : config_(std::move(config)),
      metrics_registry_(std::make_shared<prometheus::Registry>()),
      grpc_metrics_(std::make_unique<telemetry::GrpcMetrics>(*metrics_registry_)),
      metrics_(std::make_unique<WorkerMetrics>(*metrics_registry_, config_.worker_id, common::Hostname(),
                                               config_.slots)) {
  fence_ = std::make_unique<StepFence>(config_.step_guard);
  config_.runner.fence = fence_.get();  // without a guard, it keeps the lease alone
  config_.runner.stop_notice = &stop_notice_;
  grpc_metrics_->InitializeClient(*google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::WorkerService::service_full_name()));
  link_ = std::make_unique<GrpcCoordinatorLink>(
      rpc::Connect(config_.coordinator, config_.security, grpc_metrics_->ClientInterceptors()));
  core_ = std::make_unique<WorkerCore>(config_, loop_, loop_, *link_, *metrics_,
                                       [this](absl::Status why) { Stopped(std::move(why)); });
  core_->set_on_idle([this](const std::string& reason) { Leave(reason); });
}

Worker::~Worker() {
  Stop();
  loop_.Stop();  // before the core its tasks point into goes
}

absl::Status Worker::Start() {
  if (config_.metrics_address.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<telemetry::MetricsEndpoint>> endpoint =
      telemetry::MetricsEndpoint::Start(config_.metrics_address, metrics_registry_,
                                        [this] { loop_.RunSync([this] { RefreshMetrics(); }); });
  if (!endpoint.ok()) return endpoint.status();
  metrics_endpoint_ = std::move(*endpoint);
  metrics_url_ = metrics_endpoint_->url();
  core_->set_metrics_url(metrics_url_);
  // GPU gauges where the driver's NVML is there; elsewhere none, and no error. Loaded
  // after the endpoint started: a vendor library's start-up cannot get in its way
  // (linking cuBLAS did; see gpu/gemm.cu).
  if (auto nvml = gpu::Nvml::Load(); nvml.ok()) nvml_ = std::move(*nvml);
  return absl::OkStatus();
}

void Worker::RefreshMetrics() {
  metrics_->Refresh(core_->Snapshot());
  if (nvml_ != nullptr) {
    absl::StatusOr<std::vector<gpu::GpuReading>> readings = nvml_->Read();
    metrics_->SetGpus(readings.ok() ? *readings : std::vector<gpu::GpuReading>{});
  }
}

absl::Status Worker::Run() {
  loop_.SetBatchEndHook([this] { core_->FlushEvents(); });
  loop_.Start();
  if (config_.renewal) {
    renewer_ = std::make_unique<CertificateRenewer>(
        *config_.renewal,
        [this](const Joined& joined) {
          link_->UseChannel(rpc::Connect(config_.coordinator, joined.security, grpc_metrics_->ClientInterceptors()));
          spdlog::info("{}: {}; sessions from now on use it", config_.worker_id, joined.how);
        },
        [](const std::string& line) { spdlog::warn("{}", line); });
  }
  loop_.Post([this] { core_->Connect(); });
  std::unique_lock<std::mutex> lock(stop_mutex_);
  stopped_.wait(lock, [&] { return stopped_flag_ || !leave_reason_.empty(); });
  lock.unlock();
  LeaveInOrder();
  // Stop every attempt (their process groups die), wait for them, then stop the loop.
  loop_.RunSync([this] { core_->BeginStop(); });
  core_->JoinAttempts();
  // The closed session's call ends on a gRPC thread, through interceptors that record
  // into this worker's metrics: they must be done before the worker goes.
  for (int i = 0; i < 500; ++i) {
    bool open = false;
    loop_.RunSync([&] { open = core_->SessionOpen(); });
    if (!open) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  renewer_.reset();
  loop_.Stop();
  std::lock_guard<std::mutex> exit_lock(stop_mutex_);
  return exit_status_;
}

void Worker::Stop() {
  stop_notice_.Set("stopped");
  Stopped(absl::OkStatus());
}

void Worker::Leave(const std::string& reason) {
  stop_notice_.Set(reason.empty() ? "shutting down" : reason);
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (leave_reason_.empty()) leave_reason_ = reason.empty() ? "shutting down" : reason;
  stopped_.notify_all();
}

bool Worker::WaitUntilSettled(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    bool settled = false;
    loop_.RunSync([&] { settled = core_->Settled(); });
    if (settled) return true;
    std::unique_lock<std::mutex> lock(stop_mutex_);
    if (stopped_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)),
                            [&] { return stopped_flag_; }) ||
        std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
  }
}

void Worker::LeaveInOrder() {
  std::string reason;
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    if (stopped_flag_) return;
    reason = leave_reason_;
  }
  auto grace_seconds = std::chrono::duration_cast<std::chrono::seconds>(config_.grace).count();
  spdlog::info("{}: leaving: taking no new work; running attempts have {} s to finish", reason, grace_seconds);
  loop_.RunSync([&] { core_->BeginLeave(config_.worker_id + " is shutting down (" + reason + ")"); });
  if (!WaitUntilSettled(std::chrono::steady_clock::now() + config_.grace)) {
    {
      std::lock_guard<std::mutex> lock(stop_mutex_);
      if (stopped_flag_) return;  // stopped at once after all
    }
    spdlog::warn("the grace period ({} s) is over: handing back what still runs", grace_seconds);
    loop_.RunSync([&] {
      core_->HandBack("handed back: " + config_.worker_id + " shut down (" + reason + ") before it finished");
    });
    // Their ends must reach the coordinator, or it would count them lost a lease later.
    if (!WaitUntilSettled(std::chrono::steady_clock::now() + std::chrono::seconds(10))) {
      spdlog::warn("some attempts' ends were not acknowledged; the coordinator will find them lost");
    }
  }
  spdlog::info("left: every attempt finished or handed back");
}

void Worker::Stopped(absl::Status why) {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stopped_flag_) return;
  exit_status_ = std::move(why);
  stopped_flag_ = true;
  stopped_.notify_all();
}

}  // namespace wsfleet::worker
