#include "gpu/devices.h"

#include <cstdio>

#include "absl/status/status.h"

#ifdef WSFLEET_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace wsfleet::gpu {

#ifdef WSFLEET_HAVE_CUDA

bool BuiltWithCuda() { return true; }

namespace {

std::string FormatUuid(const cudaUUID_t& uuid) {
  const auto* b = reinterpret_cast<const unsigned char*>(uuid.bytes);
  char text[64];
  std::snprintf(text, sizeof text,
                "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return text;
}

}  // namespace

absl::StatusOr<std::vector<DeviceInfo>> DiscoverDevices() {
  int count = 0;
  if (cudaError_t error = cudaGetDeviceCount(&count); error != cudaSuccess) {
    // Without libcuda (no NVIDIA driver) the runtime says "driver version is insufficient".
    return absl::UnavailableError(std::string("no usable GPU (no NVIDIA driver, or no GPU): ") +
                                  cudaGetErrorString(error));
  }
  if (count == 0) return absl::UnavailableError("no usable GPU: the CUDA runtime sees none");
  std::vector<DeviceInfo> devices;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp properties{};
    if (cudaError_t error = cudaGetDeviceProperties(&properties, i); error != cudaSuccess) {
      return absl::InternalError("GPU " + std::to_string(i) + ": " + cudaGetErrorString(error));
    }
    DeviceInfo device;
    device.index = i;
    device.name = properties.name;
    device.uuid = FormatUuid(properties.uuid);
    device.sm_count = properties.multiProcessorCount;
    device.cc_major = properties.major;
    device.cc_minor = properties.minor;
    device.memory_bytes = properties.totalGlobalMem;
    device.memory_bus_width_bits = properties.memoryBusWidth;
    device.integrated = properties.integrated != 0;
    cudaDeviceGetAttribute(&device.memory_clock_khz, cudaDevAttrMemoryClockRate, i);
    cudaDeviceGetAttribute(&device.sm_clock_khz, cudaDevAttrClockRate, i);
    devices.push_back(std::move(device));
  }
  return devices;
}

int CudaDriverVersion() {
  int version = 0;
  return cudaDriverGetVersion(&version) == cudaSuccess ? version : 0;
}

#else

bool BuiltWithCuda() { return false; }

int CudaDriverVersion() { return 0; }

absl::StatusOr<std::vector<DeviceInfo>> DiscoverDevices() {
  return absl::UnavailableError(
      "this wsfleet was built without CUDA (WSFLEET_CUDA=OFF, or no nvcc at build time)");
}

#endif

}  // namespace wsfleet::gpu
