#include "gpu/burn.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "gpu/telemetry.h"

#ifdef WSFLEET_HAVE_CUDA
#include "gpu/gemm.h"
#include "gpu/membw.h"
#endif

namespace wsfleet::gpu {
namespace {

template <typename T>
void KeepMax(std::optional<T>& kept, const std::optional<T>& value) {
  if (value && (!kept || *value > *kept)) kept = value;
}
template <typename T>
void KeepMin(std::optional<T>& kept, const std::optional<T>& value) {
  if (value && (!kept || *value < *kept)) kept = value;
}

}  // namespace

void BurnTally::Add(const BurnSample& sample) {
  Device& device = devices_[sample.device];
  BurnDeviceSummary& summary = device.summary;
  summary.device = sample.device;
  if (summary.rounds == 0) {
    summary.max_tflops = summary.min_tflops = sample.gemm_tflops;
    summary.min_membw_gbps = sample.membw_gbps;
  }
  ++summary.rounds;
  summary.max_tflops = std::max(summary.max_tflops, sample.gemm_tflops);
  summary.min_tflops = std::min(summary.min_tflops, sample.gemm_tflops);
  summary.min_membw_gbps = std::min(summary.min_membw_gbps, sample.membw_gbps);
  summary.last_tflops = sample.gemm_tflops;
  KeepMax(summary.max_temperature_celsius, sample.temperature_celsius);
  KeepMin(summary.min_sm_clock_hertz, sample.sm_clock_hertz);
  KeepMax(summary.max_sm_clock_hertz, sample.sm_clock_hertz);
  KeepMax(summary.max_power_watts, sample.power_watts);
  device.throttle_mask |= sample.throttle_mask;
}

std::vector<BurnDeviceSummary> BurnTally::Summaries() const {
  std::vector<BurnDeviceSummary> summaries;
  for (const auto& [index, device] : devices_) {
    BurnDeviceSummary summary = device.summary;
    if (summary.max_tflops > 0) {
      summary.tflops_drop_percent = 100 * (summary.max_tflops - summary.min_tflops) / summary.max_tflops;
    }
    std::vector<std::string> reasons = ThrottleReasons(device.throttle_mask);
    std::sort(reasons.begin(), reasons.end());
    summary.throttle_reasons = std::move(reasons);
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

std::vector<BurnDeviceSummary> SummarizeBurn(const std::vector<BurnSample>& samples) {
  BurnTally tally;
  for (const BurnSample& sample : samples) tally.Add(sample);
  return tally.Summaries();
}

std::optional<BurnProgress::Line> BurnProgress::Add(const BurnSample& sample) {
  std::lock_guard<std::mutex> lock(mutex_);
  Device& device = devices_[sample.device];
  device.open.Add(sample);
  device.last_seconds = sample.elapsed_seconds;
  bool due = !device.printed || sample.elapsed_seconds - device.opened_seconds >= interval_seconds_ ||
             sample.throttle_mask != device.printed_mask;
  if (!due) return std::nullopt;
  Line line{sample.elapsed_seconds, device.open.Summaries().front()};
  device.open = BurnTally();
  device.opened_seconds = sample.elapsed_seconds;
  device.printed_mask = sample.throttle_mask;
  device.printed = true;
  return line;
}

std::vector<BurnProgress::Line> BurnProgress::Finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Line> lines;
  for (auto& [index, device] : devices_) {
    if (device.open.empty()) continue;
    lines.push_back({device.last_seconds, device.open.Summaries().front()});
    device.open = BurnTally();
  }
  return lines;
}

// GEMMs a round runs before its check and telemetry: enough that those (a few
// milliseconds) leave the GPU busy most of the round.
constexpr int kGemmsPerRound = 20;

BurnResult RunBurn(const BurnOptions& options) {
  BurnResult result;
#ifdef WSFLEET_HAVE_CUDA
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + options.duration;
  std::mutex mutex;  // result, and NVML (one user at a time)
  std::atomic<bool> stop{false};
  BurnTally tally;
  auto burn = [&](int device) {
    std::string gpu = "GPU " + std::to_string(device);
    // Set up once: set up each round, the matrices, cuBLAS and the arrays kept an H200 idle
    // for two thirds of the burn.
    std::string error;
    std::unique_ptr<GemmSession> gemms = GemmSession::Open(
        device, GemmType::kBf16, options.gemm_size, options.gemm_size, options.gemm_size, &error);
    std::unique_ptr<MembwSession> arrays =
        gemms ? MembwSession::Open(device, options.membw_bytes, &error) : nullptr;
    if (!arrays) {
      std::lock_guard<std::mutex> lock(mutex);
      if (result.error.empty()) result.error = gpu + (gemms ? " memory traffic: " : " GEMM: ") + error;
      stop = true;
      return;
    }
    // At least one round, however short the burn: a burn that checked nothing passes nothing.
    do {
      GemmResult gemm = gemms->Run(kGemmsPerRound);
      MembwResult membw = gemm.ok ? arrays->Run(3) : MembwResult{};
      std::lock_guard<std::mutex> lock(mutex);
      if (!gemm.ok || !membw.ok) {
        if (result.error.empty()) {
          result.error = gpu + (gemm.ok ? " memory traffic: " + membw.error : " GEMM: " + gemm.error);
        }
        stop = true;
        return;
      }
      BurnSample sample;
      sample.device = device;
      sample.elapsed_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      sample.gemm_tflops = gemm.flops_per_second / 1e12;
      sample.membw_gbps = membw.triad_bytes_per_second / 1e9;
      if (options.nvml != nullptr) {
        absl::StatusOr<std::vector<GpuReading>> readings = options.nvml->Read();
        for (const GpuReading& reading : readings.ok() ? *readings : std::vector<GpuReading>{}) {
          if (static_cast<int>(reading.index) != device) continue;
          sample.temperature_celsius = reading.temperature_celsius;
          sample.sm_clock_hertz = reading.sm_clock_hertz;
          sample.power_watts = reading.power_watts;
          sample.throttle_mask = reading.clock_event_reasons.value_or(0);
        }
      }
      tally.Add(sample);
      if (options.on_sample) options.on_sample(sample);
    } while (!stop && std::chrono::steady_clock::now() < deadline);
  };
  std::vector<std::thread> threads;
  for (int device : options.devices) threads.emplace_back(burn, device);
  for (std::thread& thread : threads) thread.join();
  result.summaries = tally.Summaries();
  result.ok = result.error.empty();
#else
  (void)options;
  result.unavailable = true;
  result.error = "this wsfleet was built without CUDA";
#endif
  return result;
}

}  // namespace wsfleet::gpu
