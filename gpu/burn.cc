#include "gpu/burn.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
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

std::vector<BurnDeviceSummary> SummarizeBurn(const std::vector<BurnSample>& samples) {
  std::map<int, BurnDeviceSummary> by_device;
  std::map<int, std::set<std::string>> reasons;
  for (const BurnSample& sample : samples) {
    BurnDeviceSummary& summary = by_device[sample.device];
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
    for (const std::string& reason : ThrottleReasons(sample.throttle_mask)) {
      reasons[sample.device].insert(reason);
    }
  }
  std::vector<BurnDeviceSummary> summaries;
  for (auto& [device, summary] : by_device) {
    if (summary.max_tflops > 0) {
      summary.tflops_drop_percent = 100 * (summary.max_tflops - summary.min_tflops) / summary.max_tflops;
    }
    summary.throttle_reasons.assign(reasons[device].begin(), reasons[device].end());
    summaries.push_back(summary);
  }
  return summaries;
}

BurnResult RunBurn(const BurnOptions& options) {
  BurnResult result;
#ifdef WSFLEET_HAVE_CUDA
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + options.duration;
  std::mutex mutex;  // result, and NVML (one user at a time)
  std::atomic<bool> stop{false};
  auto burn = [&](int device) {
    std::string gpu = "GPU " + std::to_string(device);
    // At least one round, however short the burn: a burn that checked nothing passes nothing.
    do {
      GemmResult gemm = RunGemm(device, GemmType::kBf16, options.gemm_size, options.gemm_size,
                                options.gemm_size, 5);
      MembwResult membw = gemm.ok ? RunMembw(device, options.membw_bytes, 3) : MembwResult{};
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
      result.samples.push_back(sample);
      if (options.on_sample) options.on_sample(sample);
    } while (!stop && std::chrono::steady_clock::now() < deadline);
  };
  std::vector<std::thread> threads;
  for (int device : options.devices) threads.emplace_back(burn, device);
  for (std::thread& thread : threads) thread.join();
  result.ok = result.error.empty();
#else
  (void)options;
  result.unavailable = true;
  result.error = "this wsfleet was built without CUDA";
#endif
  return result;
}

}  // namespace wsfleet::gpu
