#include "gpu/cli/burn_command.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/exit_codes.h"
#include "gpu/burn.h"
#include "gpu/devices.h"
#include "gpu/telemetry.h"

namespace wsfleet::gpu::cli {
namespace {

struct BurnOptions {
  double minutes = 10;
  int device = -1;  // -1: every GPU at once
  int gemm_size = 8192;
  double report_every_seconds = 10;
  std::string nvml_library = "libnvidia-ml.so.1";
};

std::string Optional(const std::optional<double>& value, double scale, const char* unit) {
  if (!value) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, *unit ? "%.0f %s" : "%.0f", *value * scale, unit);
  return text;
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// What a GPU's rounds measured, for a progress line and for the final summary alike.
std::string Describe(const gpu::BurnDeviceSummary& s) {
  char text[160];
  std::snprintf(text, sizeof text, "%d round%s, gemm %.1f..%.1f TFLOPS (%.1f%% below the best), "
                "triad >= %.1f GB/s, ", s.rounds, s.rounds == 1 ? "" : "s", s.min_tflops,
                s.max_tflops, s.tflops_drop_percent, s.min_membw_gbps);
  std::string clock = s.min_sm_clock_hertz == s.max_sm_clock_hertz
                          ? Optional(s.max_sm_clock_hertz, 1e-6, "MHz")
                          : Optional(s.min_sm_clock_hertz, 1e-6, "") + ".." +
                                Optional(s.max_sm_clock_hertz, 1e-6, "MHz");
  return text + Optional(s.max_temperature_celsius, 1, "C") + " max, SM " + clock + ", " +
         Optional(s.max_power_watts, 1, "W") + " max" +
         (s.throttle_reasons.empty() ? "" : ", throttled: " + Join(s.throttle_reasons));
}

void PrintProgress(const gpu::BurnProgress::Line& line) {
  int seconds = static_cast<int>(line.elapsed_seconds);
  std::printf("  GPU %d  %3d:%02d  %s\n", line.rounds.device, seconds / 60, seconds % 60,
              Describe(line.rounds).c_str());
  std::fflush(stdout);
}

int BurnCommand(const BurnOptions& options) {
  absl::StatusOr<std::vector<gpu::DeviceInfo>> devices = gpu::DiscoverDevices();
  if (!devices.ok()) {
    std::cerr << "wsfleet gpu bench burn: " << devices.status().message() << "\n";
    return kExitNoGpu;
  }
  gpu::BurnOptions burn;
  for (const gpu::DeviceInfo& device : *devices) {
    if (options.device < 0 || device.index == options.device) burn.devices.push_back(device.index);
  }
  if (burn.devices.empty()) {
    std::cerr << "wsfleet gpu bench burn: --device " << options.device << ": this machine has "
              << devices->size() << " GPU(s)\n";
    return kExitUsage;
  }
  burn.duration = std::chrono::seconds(std::llround(options.minutes * 60));
  burn.gemm_size = options.gemm_size;
  absl::StatusOr<std::unique_ptr<gpu::Nvml>> nvml = gpu::Nvml::Load(options.nvml_library);
  if (nvml.ok()) {
    burn.nvml = nvml->get();
  } else {
    std::cout << "no telemetry, so throttling cannot be seen: " << nvml.status().message() << "\n";
  }
  std::cout << "burn: " << burn.devices.size() << " GPU(s) for " << options.minutes
            << " min, rounds of a checked bf16 GEMM (" << options.gemm_size
            << "^3) and a checked STREAM triad (1 GiB arrays)\n";
  gpu::BurnProgress progress(options.report_every_seconds);
  burn.on_sample = [&progress](const gpu::BurnSample& sample) {
    if (std::optional<gpu::BurnProgress::Line> line = progress.Add(sample)) PrintProgress(*line);
  };
  gpu::BurnResult result = gpu::RunBurn(burn);
  if (result.unavailable) {
    std::cerr << "wsfleet gpu bench burn: " << result.error << "\n";
    return kExitNoGpu;
  }
  for (const gpu::BurnProgress::Line& line : progress.Finish()) PrintProgress(line);
  const std::vector<gpu::BurnDeviceSummary>& summaries = result.summaries;
  int rounds = 0;
  double min_tflops = -1, worst_drop = 0, min_membw = -1;
  std::optional<double> max_temperature;
  bool throttled = false;
  for (const gpu::BurnDeviceSummary& s : summaries) {
    std::cout << "GPU " << s.device << ": " << Describe(s)
              << (s.throttle_reasons.empty() ? ", not throttled" : "") << "\n";
    rounds += s.rounds;
    min_tflops = min_tflops < 0 ? s.min_tflops : std::min(min_tflops, s.min_tflops);
    min_membw = min_membw < 0 ? s.min_membw_gbps : std::min(min_membw, s.min_membw_gbps);
    worst_drop = std::max(worst_drop, s.tflops_drop_percent);
    if (s.max_temperature_celsius && (!max_temperature || *s.max_temperature_celsius > *max_temperature)) {
      max_temperature = s.max_temperature_celsius;
    }
    throttled = throttled || !s.throttle_reasons.empty();
  }
  std::printf("METRIC burn_rounds=%d\n", rounds);
  std::printf("METRIC burn_errors=%d\n", result.ok ? 0 : 1);
  if (!summaries.empty()) {
    std::printf("METRIC burn_gemm_tflops_min=%.1f TFLOPS\n", min_tflops);
    std::printf("METRIC burn_gemm_drop_percent=%.1f %%\n", worst_drop);
    std::printf("METRIC burn_membw_gbps_min=%.1f GB/s\n", min_membw);
    if (max_temperature) std::printf("METRIC burn_temperature_max_celsius=%.0f C\n", *max_temperature);
    if (burn.nvml != nullptr) std::printf("METRIC burn_throttled=%d\n", throttled ? 1 : 0);
  }
  if (!result.ok) {
    std::cerr << "wsfleet gpu bench burn: " << result.error << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void AddGpuBurnCommand(CLI::App& bench, std::function<int()>& run) {
  auto options = std::make_shared<BurnOptions>();
  CLI::App* burn = bench.add_subcommand(
      "burn", "Sustained GEMM + memory traffic with every result checked; reports throttling");
  burn->add_option("--minutes", options->minutes, "How long to burn")
      ->check(CLI::Range(0.0, 7 * 24 * 60.0))->capture_default_str();
  burn->add_option("--device", options->device, "One CUDA device (default: every GPU at once)");
  burn->add_option("--gemm-size", options->gemm_size, "M = N = K of each GEMM")
      ->check(CLI::Range(256, 65536))->capture_default_str();
  burn->add_option("--report-every", options->report_every_seconds,
                   "Seconds between a GPU's progress lines (each covers the rounds since the last; "
                   "a change in throttling prints at once)")
      ->check(CLI::Range(0.0, 24 * 3600.0))->capture_default_str();
  burn->add_option("--nvml", options->nvml_library, "NVML library to load")->capture_default_str();
  burn->footer(
      "Fails (exit 1) on the first wrong result or CUDA error, naming the GPU. Prints METRIC\n"
      "burn_rounds, burn_errors, burn_gemm_tflops_min, burn_gemm_drop_percent (slowest round\n"
      "below the fastest), burn_membw_gbps_min, burn_temperature_max_celsius, burn_throttled.\n"
      "Exit codes: 0 ok, 1 a wrong result, 64 bad usage, 69 no GPU here.");
  burn->callback([&run, options] { run = [options] { return BurnCommand(*options); }; });
}

}  // namespace wsfleet::gpu::cli
