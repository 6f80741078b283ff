#include "worker/worker.h"

#include <spdlog/spdlog.h>

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
  grpc_metrics_->InitializeClient(*google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          v1::WorkerService::service_full_name()));
  link_ = std::make_unique<GrpcCoordinatorLink>(
      rpc::Connect(config_.coordinator, config_.security, grpc_metrics_->ClientInterceptors()));
  core_ = std::make_unique<WorkerCore>(config_, loop_, loop_, *link_, *metrics_,
                                       [this](absl::Status why) { Stopped(std::move(why)); });
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
  stopped_.wait(lock, [&] { return stopped_flag_; });
  lock.unlock();
  // Stop every attempt (their process groups die), wait for them, then stop the loop.
  loop_.RunSync([this] { core_->BeginStop(); });
  core_->JoinAttempts();
  renewer_.reset();
  loop_.Stop();
  std::lock_guard<std::mutex> exit_lock(stop_mutex_);
  return exit_status_;
}

void Worker::Stop() { Stopped(absl::OkStatus()); }

void Worker::Stopped(absl::Status why) {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (stopped_flag_) return;
  exit_status_ = std::move(why);
  stopped_flag_ = true;
  stopped_.notify_all();
}

}  // namespace wsfleet::worker
