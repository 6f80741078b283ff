#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace wsfleet::gpu {

// One GPU as NVML sees it now; nullopt where the device does not report a value.
struct GpuReading {
  uint32_t index = 0;
  std::string uuid;
  std::string name;
  std::optional<double> utilization_percent;
  std::optional<double> memory_used_bytes;
  std::optional<double> memory_total_bytes;
  bool memory_from_meminfo = false;  // unified memory (GB10): host /proc/meminfo figures
  std::optional<double> power_watts;
  std::optional<double> temperature_celsius;
  std::optional<double> sm_clock_hertz;
  // Why the clocks are held below their maximum now (NVML's clocks event reasons bit mask;
  // "throttle reasons" in older drivers); see ThrottleReasons().
  std::optional<uint64_t> clock_event_reasons;
};

// The reasons in an NVML clocks-event mask that slow a busy GPU down (power cap, thermal
// and hardware slowdowns, power brake), by name; idle and application settings are left out.
std::vector<std::string> ThrottleReasons(uint64_t mask);

// NVML, loaded at run time with dlopen, so that wsfleet runs (and says why there is no
// telemetry) where the driver is not installed. Thread-compatible: one user at a time.
class Nvml {
 public:
  // Loads `library` (the driver's libnvidia-ml.so.1 by default) and initializes NVML.
  // Unavailable, naming the library and dlopen's or NVML's error, when that fails.
  static absl::StatusOr<std::unique_ptr<Nvml>> Load(const std::string& library = "libnvidia-ml.so.1");
  ~Nvml();

  absl::StatusOr<std::vector<GpuReading>> Read() const;

  struct Api;

 private:
  Nvml() = default;
  void* handle_ = nullptr;
  std::unique_ptr<Api> api_;
};

// MemTotal and MemTotal - MemAvailable from /proc/meminfo text, in bytes: the unified
// memory a GB10's GPU shares with the CPU, where NVML reports none.
struct HostMemory {
  double total_bytes = 0;
  double used_bytes = 0;
};
std::optional<HostMemory> ParseMeminfo(const std::string& text);

}  // namespace wsfleet::gpu
