#include "gpu/cli/commands.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <variant>

#include "common/exit_codes.h"
#include "gpu/cli/burn_command.h"
#include "gpu/cli/nccl_command.h"
#include "gpu/bus_bandwidth.h"
#include "gpu/devices.h"
#include "gpu/gemm.h"
#include "gpu/membw.h"
#include "gpu/telemetry.h"

namespace wsfleet::gpu::cli {
namespace {

struct GpuOptions {
  std::string output = "table";
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string size = "1G";
  int iterations = 20;
  int device = 0;
  std::string gemm_type = "all";
  int gemm_size = 8192;
};

std::string Gb(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", bytes / 1e9);
  return text;
}

template <typename T>
nlohmann::json Optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

int InfoCommand(const GpuOptions& options) {
  absl::StatusOr<std::vector<gpu::DeviceInfo>> devices = gpu::DiscoverDevices();
  absl::StatusOr<std::unique_ptr<gpu::Nvml>> nvml = gpu::Nvml::Load(options.nvml_library);
  absl::StatusOr<std::vector<gpu::GpuReading>> readings =
      nvml.ok() ? (*nvml)->Read() : absl::StatusOr<std::vector<gpu::GpuReading>>(nvml.status());
  if (options.output == "json") {
    nlohmann::ordered_json json;
    json["built_with_cuda"] = gpu::BuiltWithCuda();
    json["devices"] = nlohmann::ordered_json::array();
    if (devices.ok()) {
      for (const gpu::DeviceInfo& d : *devices) {
        json["devices"].push_back({{"index", d.index}, {"name", d.name}, {"uuid", d.uuid},
                                   {"sm_count", d.sm_count}, {"compute_capability", d.ComputeCapability()},
                                   {"memory_bytes", d.memory_bytes},
                                   {"memory_bus_width_bits", d.memory_bus_width_bits},
                                   {"memory_clock_khz", d.memory_clock_khz},
                                   {"sm_clock_khz", d.sm_clock_khz}, {"integrated", d.integrated},
                                   {"peak_memory_bandwidth_bytes_per_second", d.PeakMemoryBandwidth()}});
      }
    } else {
      json["devices_error"] = std::string(devices.status().message());
    }
    json["telemetry"] = nlohmann::ordered_json::array();
    if (readings.ok()) {
      for (const gpu::GpuReading& r : *readings) {
        json["telemetry"].push_back(
            {{"index", r.index}, {"uuid", r.uuid}, {"name", r.name},
             {"utilization_percent", Optional(r.utilization_percent)},
             {"memory_used_bytes", Optional(r.memory_used_bytes)},
             {"memory_total_bytes", Optional(r.memory_total_bytes)},
             {"memory_from_meminfo", r.memory_from_meminfo}, {"power_watts", Optional(r.power_watts)},
             {"temperature_celsius", Optional(r.temperature_celsius)},
             {"sm_clock_hertz", Optional(r.sm_clock_hertz)}});
      }
    } else {
      json["telemetry_error"] = std::string(readings.status().message());
    }
    std::cout << json.dump(2) << "\n";
  } else {
    if (devices.ok()) {
      for (const gpu::DeviceInfo& d : *devices) {
        std::cout << "GPU " << d.index << ": " << d.name << " (" << d.uuid << ")\n"
                  << "  compute capability " << d.ComputeCapability() << ", " << d.sm_count
                  << " SMs, SM clock " << d.sm_clock_khz / 1000 << " MHz\n"
                  << "  memory " << Gb(static_cast<double>(d.memory_bytes)) << " GB"
                  << (d.integrated ? " (unified with the host)" : "") << ", bus "
                  << d.memory_bus_width_bits << " bits at " << d.memory_clock_khz / 1000
                  << " MHz: peak " << Gb(d.PeakMemoryBandwidth()) << " GB/s\n";
      }
    } else {
      std::cout << "GPUs: none usable here: " << devices.status().message() << "\n";
    }
    if (readings.ok()) {
      for (const gpu::GpuReading& r : *readings) {
        std::cout << "telemetry GPU " << r.index << ": utilization "
                  << (r.utilization_percent ? std::to_string(static_cast<int>(*r.utilization_percent)) + "%" : "n/a")
                  << ", temperature "
                  << (r.temperature_celsius ? std::to_string(static_cast<int>(*r.temperature_celsius)) + " C" : "n/a")
                  << ", power " << (r.power_watts ? Gb(*r.power_watts * 1e9) + " W" : "n/a")
                  << ", memory "
                  << (r.memory_used_bytes ? Gb(*r.memory_used_bytes) + " of " + Gb(*r.memory_total_bytes) + " GB" : "n/a")
                  << (r.memory_from_meminfo ? " (unified memory: from /proc/meminfo, NVML reports none)" : "")
                  << "\n";
      }
    } else {
      std::cout << "telemetry: " << readings.status().message() << "\n";
    }
  }
  return devices.ok() ? kExitOk : kExitNoGpu;
}

// The device to run on, or the exit code that says why there is none.
std::variant<gpu::DeviceInfo, int> PickDevice(const std::string& command, int index) {
  absl::StatusOr<std::vector<gpu::DeviceInfo>> devices = gpu::DiscoverDevices();
  if (!devices.ok()) {
    std::cerr << "wsfleet gpu bench " << command << ": " << devices.status().message() << "\n";
    return kExitNoGpu;
  }
  if (index < 0 || index >= static_cast<int>(devices->size())) {
    std::cerr << "wsfleet gpu bench " << command << ": --device " << index
              << ": this machine has " << devices->size() << " GPU(s)\n";
    return kExitUsage;
  }
  return (*devices)[static_cast<size_t>(index)];
}

int MembwCommand(const GpuOptions& options) {
  std::optional<uint64_t> bytes = gpu::ParseSize(options.size);
  if (!bytes || *bytes < 8) {
    std::cerr << "wsfleet gpu bench membw: --size '" << options.size
              << "' is not a size such as 256M or 1G\n";
    return kExitUsage;
  }
  auto picked = PickDevice("membw", options.device);
  if (const int* code = std::get_if<int>(&picked)) return *code;
#ifdef WSFLEET_HAVE_CUDA
  const gpu::DeviceInfo& device = std::get<gpu::DeviceInfo>(picked);
  gpu::MembwResult result = gpu::RunMembw(options.device, *bytes, options.iterations);
  if (!result.ok) {
    std::cerr << "wsfleet gpu bench membw: " << result.error << "\n";
    return kExitFailed;
  }
  double peak = device.PeakMemoryBandwidth();
  std::cout << "membw on GPU " << device.index << " (" << device.name << "), 3 arrays of "
            << Gb(static_cast<double>(result.bytes_per_array)) << " GB, best of "
            << options.iterations << ":\n"
            << "  copy  " << Gb(result.copy_bytes_per_second) << " GB/s\n"
            << "  triad " << Gb(result.triad_bytes_per_second) << " GB/s\n"
            << "  peak  " << Gb(peak) << " GB/s (memory clock x 2 x bus width)\n";
  std::printf("METRIC membw_copy_gbps=%.1f GB/s\n", result.copy_bytes_per_second / 1e9);
  std::printf("METRIC membw_triad_gbps=%.1f GB/s\n", result.triad_bytes_per_second / 1e9);
  if (peak > 0) {
    std::printf("METRIC membw_peak_gbps=%.1f GB/s\n", peak / 1e9);
    std::printf("METRIC membw_triad_peak_percent=%.1f %%\n", 100.0 * result.triad_bytes_per_second / peak);
  }
  return kExitOk;
#else
  return kExitNoGpu;  // DiscoverDevices() already said so
#endif
}

int GemmCommand(const GpuOptions& options) {
  std::vector<gpu::GemmType> types;
  for (gpu::GemmType type : {gpu::GemmType::kFp32, gpu::GemmType::kTf32, gpu::GemmType::kFp16,
                             gpu::GemmType::kBf16, gpu::GemmType::kFp8}) {
    if (options.gemm_type == "all" || options.gemm_type == gpu::GemmTypeName(type)) types.push_back(type);
  }
  auto picked = PickDevice("gemm", options.device);
  if (const int* code = std::get_if<int>(&picked)) return *code;
#ifdef WSFLEET_HAVE_CUDA
  const gpu::DeviceInfo& device = std::get<gpu::DeviceInfo>(picked);
  int n = options.gemm_size;
  std::cout << "gemm on GPU " << device.index << " (" << device.name << "), " << n << "x" << n
            << "x" << n << ", fp32 accumulation, best of " << options.iterations << ":\n";
  int status = kExitOk;
  for (gpu::GemmType type : types) {
    gpu::GemmResult result = gpu::RunGemm(options.device, type, n, n, n, options.iterations);
    if (result.unsupported && options.gemm_type == "all") {
      // "all" means every type this GPU has; asked for by name, it is a failure.
      std::cout << "  " << gpu::GemmTypeName(type) << "   not measured: " << result.error << "\n";
      continue;
    }
    if (!result.ok) {
      std::cerr << "wsfleet gpu bench gemm: " << result.error << "\n";
      status = kExitFailed;
      continue;
    }
    char line[128];
    std::snprintf(line, sizeof line, "  %-5s %8.1f TFLOPS (checked: max error %.3g)\n",
                  gpu::GemmTypeName(type), result.flops_per_second / 1e12, result.max_abs_error);
    std::cout << line;
    std::printf("METRIC gemm_%s_tflops=%.1f TFLOPS\n", gpu::GemmTypeName(type),
                result.flops_per_second / 1e12);
  }
  return status;
#else
  return kExitNoGpu;
#endif
}

}  // namespace

void AddGpuCommands(CLI::App& app, std::function<int()>& run) {
  auto options = std::make_shared<GpuOptions>();
  CLI::App* gpu = app.add_subcommand("gpu", "GPU discovery, telemetry and workloads");
  gpu->require_subcommand(1);
  gpu->footer("Exit codes: 0 ok, 1 a check failed, 64 bad usage, 69 no GPU to use here "
              "(or built without CUDA).");

  CLI::App* info = gpu->add_subcommand("info", "The GPUs here: CUDA devices and NVML telemetry");
  info->add_option("-o,--output", options->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  info->add_option("--nvml", options->nvml_library, "NVML library to load")->capture_default_str();
  info->callback([&run, options] { run = [options] { return InfoCommand(*options); }; });

  CLI::App* bench = gpu->add_subcommand("bench", "GPU workloads that print METRIC lines");
  bench->require_subcommand(1);
  CLI::App* membw = bench->add_subcommand(
      "membw", "Device memory bandwidth (STREAM copy and triad), GB/s and % of peak");
  membw->add_option("--size", options->size, "Bytes per array (e.g. 256M, 1G)")->capture_default_str();
  membw->add_option("--iterations", options->iterations, "Runs of each kernel; the best counts")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  membw->add_option("--device", options->device, "CUDA device index")->capture_default_str();
  membw->callback([&run, options] { run = [options] { return MembwCommand(*options); }; });

  CLI::App* gemm = bench->add_subcommand(
      "gemm", "Matrix multiply through cuBLAS (fp32, tf32, fp16, bf16, fp8 in; fp32 sums), TFLOPS, checked");
  gemm->add_option("--type", options->gemm_type,
                   "all (every type the GPU has), fp32, tf32, fp16, bf16 or fp8 (e4m3, cuBLASLt; sm_89+)")
      ->check(CLI::IsMember({"all", "fp32", "tf32", "fp16", "bf16", "fp8"}))->capture_default_str();
  gemm->add_option("--size", options->gemm_size, "M = N = K")->check(CLI::Range(16, 65536))
      ->capture_default_str();
  gemm->add_option("--iterations", options->iterations, "Runs of each; the best counts")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  gemm->add_option("--device", options->device, "CUDA device index")->capture_default_str();
  gemm->callback([&run, options] { run = [options] { return GemmCommand(*options); }; });

  AddGpuNcclCommand(*bench, run);
  AddGpuBurnCommand(*bench, run);
}

}  // namespace wsfleet::gpu::cli
