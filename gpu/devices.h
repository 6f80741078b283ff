#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace wsfleet::gpu {

// A CUDA device as the runtime describes it.
struct DeviceInfo {
  int index = 0;
  std::string name;
  std::string uuid;  // "GPU-xxxxxxxx-...", as nvidia-smi and NVML print it
  int sm_count = 0;
  int cc_major = 0;
  int cc_minor = 0;
  uint64_t memory_bytes = 0;
  int memory_bus_width_bits = 0;
  int memory_clock_khz = 0;
  int sm_clock_khz = 0;
  bool integrated = false;  // shares the host's memory (GB10)

  // Theoretical peak memory bandwidth, bytes/s: double data rate over the bus.
  double PeakMemoryBandwidth() const {
    return 2.0 * memory_clock_khz * 1e3 * (memory_bus_width_bits / 8.0);
  }
  std::string ComputeCapability() const {
    return std::to_string(cc_major) + "." + std::to_string(cc_minor);
  }
};

// Whether this binary was built with CUDA (WSFLEET_CUDA).
bool BuiltWithCuda();

// The devices the CUDA runtime sees. Unavailable, saying why, when the binary was built
// without CUDA, the driver is missing, or there is no GPU.
absl::StatusOr<std::vector<DeviceInfo>> DiscoverDevices();

// The newest CUDA the installed driver supports, as cudaDriverGetVersion gives it (13000
// for 13.0); 0 without a driver or in a build without CUDA.
int CudaDriverVersion();

}  // namespace wsfleet::gpu
