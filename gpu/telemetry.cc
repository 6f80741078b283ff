#include "gpu/telemetry.h"

#include <dlfcn.h>

#include <fstream>
#include <utility>
#include <sstream>

#include "absl/status/status.h"

namespace wsfleet::gpu {
namespace {

// The few NVML declarations used, as in nvml.h (which the toolkit does not always ship).
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
struct nvmlUtilization_t {
  unsigned int gpu;
  unsigned int memory;
};
struct nvmlMemory_t {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlTemperatureGpu = 0;
constexpr int kNvmlClockSm = 1;
constexpr unsigned int kNameLength = 96;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

struct Nvml::Api {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*count)(unsigned int*) = nullptr;
  nvmlReturn_t (*handle_by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*clock_events)(nvmlDevice_t, unsigned long long*) = nullptr;  // optional

  std::string Error(nvmlReturn_t code) const {
    return error_string != nullptr ? error_string(code) : "NVML error " + std::to_string(code);
  }
};

absl::StatusOr<std::unique_ptr<Nvml>> Nvml::Load(const std::string& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return absl::UnavailableError("NVML is not available (" + library + ": " +
                                  (error != nullptr ? error : "cannot load") +
                                  "); is the NVIDIA driver installed?");
  }
  std::unique_ptr<Nvml> nvml(new Nvml());
  nvml->handle_ = handle;
  nvml->api_ = std::make_unique<Api>();
  Api& api = *nvml->api_;
  bool complete = true;
  auto bind = [&](auto& function, const char* symbol) {
    function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(::dlsym(handle, symbol));
    complete = complete && function != nullptr;
  };
  bind(api.init, "nvmlInit_v2");
  bind(api.shutdown, "nvmlShutdown");
  bind(api.error_string, "nvmlErrorString");
  bind(api.count, "nvmlDeviceGetCount_v2");
  bind(api.handle_by_index, "nvmlDeviceGetHandleByIndex_v2");
  bind(api.name, "nvmlDeviceGetName");
  bind(api.uuid, "nvmlDeviceGetUUID");
  bind(api.utilization, "nvmlDeviceGetUtilizationRates");
  bind(api.memory, "nvmlDeviceGetMemoryInfo");
  bind(api.power, "nvmlDeviceGetPowerUsage");
  bind(api.temperature, "nvmlDeviceGetTemperature");
  bind(api.clock, "nvmlDeviceGetClockInfo");
  if (!complete) return absl::UnavailableError(library + " lacks NVML functions wsfleet needs");
  // Renamed in driver 535; either serves.
  for (const char* symbol : {"nvmlDeviceGetCurrentClocksEventReasons",
                             "nvmlDeviceGetCurrentClocksThrottleReasons"}) {
    if (api.clock_events == nullptr) {
      api.clock_events = reinterpret_cast<decltype(api.clock_events)>(::dlsym(handle, symbol));
    }
  }
  if (nvmlReturn_t code = api.init(); code != kNvmlSuccess) {
    std::string error = api.Error(code);
    api.shutdown = nullptr;  // not initialized: nothing to shut down
    return absl::UnavailableError("NVML did not initialize: " + error);
  }
  return nvml;
}

Nvml::~Nvml() {
  if (api_ && api_->shutdown != nullptr) api_->shutdown();
  if (handle_ != nullptr) ::dlclose(handle_);
}

absl::StatusOr<std::vector<GpuReading>> Nvml::Read() const {
  const Api& api = *api_;
  unsigned int count = 0;
  if (nvmlReturn_t code = api.count(&count); code != kNvmlSuccess) {
    return absl::UnavailableError("NVML cannot count devices: " + api.Error(code));
  }
  std::vector<GpuReading> readings;
  std::optional<HostMemory> host;
  for (unsigned int i = 0; i < count; ++i) {
    nvmlDevice_t device = nullptr;
    if (api.handle_by_index(i, &device) != kNvmlSuccess) continue;
    GpuReading reading;
    reading.index = i;
    char text[kNameLength] = {};
    if (api.name(device, text, kNameLength) == kNvmlSuccess) reading.name = text;
    if (api.uuid(device, text, kNameLength) == kNvmlSuccess) reading.uuid = text;
    nvmlUtilization_t utilization{};
    if (api.utilization(device, &utilization) == kNvmlSuccess) reading.utilization_percent = utilization.gpu;
    nvmlMemory_t memory{};
    if (api.memory(device, &memory) == kNvmlSuccess && memory.total > 0) {
      reading.memory_total_bytes = static_cast<double>(memory.total);
      reading.memory_used_bytes = static_cast<double>(memory.used);
    } else {
      // GB10: "not supported" for the unified memory; the host's figures are the GPU's.
      if (!host) host = ParseMeminfo(ReadFile("/proc/meminfo"));
      if (host) {
        reading.memory_total_bytes = host->total_bytes;
        reading.memory_used_bytes = host->used_bytes;
        reading.memory_from_meminfo = true;
      }
    }
    unsigned int value = 0;
    if (api.power(device, &value) == kNvmlSuccess) reading.power_watts = value / 1000.0;
    if (api.temperature(device, kNvmlTemperatureGpu, &value) == kNvmlSuccess) {
      reading.temperature_celsius = value;
    }
    if (api.clock(device, kNvmlClockSm, &value) == kNvmlSuccess) reading.sm_clock_hertz = value * 1e6;
    unsigned long long reasons = 0;
    if (api.clock_events != nullptr && api.clock_events(device, &reasons) == kNvmlSuccess) {
      reading.clock_event_reasons = reasons;
    }
    readings.push_back(std::move(reading));
  }
  return readings;
}

std::vector<std::string> ThrottleReasons(uint64_t mask) {
  // nvml.h's nvmlClocksEventReason* bits.
  static constexpr std::pair<uint64_t, const char*> kReasons[] = {
      {0x4, "power cap"},          {0x8, "hardware slowdown"},
      {0x20, "software thermal"},  {0x40, "hardware thermal"},
      {0x80, "power brake"},
  };
  std::vector<std::string> reasons;
  for (const auto& [bit, name] : kReasons) {
    if ((mask & bit) != 0) reasons.emplace_back(name);
  }
  return reasons;
}

std::optional<HostMemory> ParseMeminfo(const std::string& text) {
  std::istringstream lines(text);
  std::string key;
  double total_kb = -1, available_kb = -1;
  while (lines >> key) {
    double value = 0;
    if (!(lines >> value)) break;
    if (key == "MemTotal:") total_kb = value;
    if (key == "MemAvailable:") available_kb = value;
    lines.ignore(1 << 10, '\n');
  }
  if (total_kb < 0 || available_kb < 0) return std::nullopt;
  return HostMemory{total_kb * 1024, (total_kb - available_kb) * 1024};
}

}  // namespace wsfleet::gpu
