#include "gpu/membw.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace wsfleet::gpu {
namespace {

__global__ void Fill(double* a, double* b, double* c, size_t n) {
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += size_t{blockDim.x} * gridDim.x) {
    a[i] = 1.0;
    b[i] = 2.0;
    c[i] = 0.5 * static_cast<double>(i % 1024);
  }
}

__global__ void Copy(const double* __restrict__ from, double* __restrict__ to, size_t n) {
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += size_t{blockDim.x} * gridDim.x) {
    to[i] = from[i];
  }
}

__global__ void Triad(double* __restrict__ a, const double* __restrict__ b,
                      const double* __restrict__ c, double scalar, size_t n) {
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += size_t{blockDim.x} * gridDim.x) {
    a[i] = b[i] + scalar * c[i];
  }
}

// Frees what it holds whatever way RunMembw leaves.
struct DeviceArrays {
  double* a = nullptr;
  double* b = nullptr;
  double* c = nullptr;
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  ~DeviceArrays() {
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    if (start != nullptr) cudaEventDestroy(start);
    if (stop != nullptr) cudaEventDestroy(stop);
  }
};

}  // namespace

MembwResult RunMembw(int device, size_t bytes_per_array, int iterations) {
  MembwResult result;
  auto fail = [&](cudaError_t error, const char* what) {
    result.error = std::string(what) + ": " + cudaGetErrorString(error);
    return result;
  };
  size_t n = bytes_per_array / sizeof(double);
  if (n == 0 || iterations < 1) {
    result.error = "the arrays must hold at least one double and iterations be at least 1";
    return result;
  }
  result.bytes_per_array = n * sizeof(double);
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return fail(e, "cudaSetDevice");
  DeviceArrays arrays;
  for (double** array : {&arrays.a, &arrays.b, &arrays.c}) {
    if (cudaError_t e = cudaMalloc(array, result.bytes_per_array); e != cudaSuccess) return fail(e, "cudaMalloc");
  }
  cudaEventCreate(&arrays.start);
  cudaEventCreate(&arrays.stop);
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  dim3 blocks(static_cast<unsigned>(std::max(1, sms) * 8));
  dim3 threads(256);
  Fill<<<blocks, threads>>>(arrays.a, arrays.b, arrays.c, n);
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return fail(e, "fill");

  auto best = [&](auto launch) -> float {
    float best_ms = 0;
    for (int i = 0; i < iterations; ++i) {
      cudaEventRecord(arrays.start);
      launch();
      cudaEventRecord(arrays.stop);
      cudaEventSynchronize(arrays.stop);
      float ms = 0;
      cudaEventElapsedTime(&ms, arrays.start, arrays.stop);
      if (i == 0 || ms < best_ms) best_ms = ms;
    }
    return best_ms;
  };
  float copy_ms = best([&] { Copy<<<blocks, threads>>>(arrays.a, arrays.c, n); });
  const double scalar = 3.0;
  float triad_ms = best([&] { Triad<<<blocks, threads>>>(arrays.a, arrays.b, arrays.c, scalar, n); });
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return fail(e, "kernels");
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return fail(e, "kernels");

  // After copy, c holds a's 1.0; triad then makes a = 2 + 3 * 1 = 5 everywhere.
  std::vector<double> sample(std::min<size_t>(n, 4096));
  size_t offset = n - sample.size();
  if (cudaError_t e = cudaMemcpy(sample.data(), arrays.a + offset, sample.size() * sizeof(double),
                                 cudaMemcpyDeviceToHost);
      e != cudaSuccess) {
    return fail(e, "cudaMemcpy");
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    if (std::fabs(sample[i] - 5.0) > 1e-12) {
      result.error = "wrong result at element " + std::to_string(offset + i) + ": " +
                     std::to_string(sample[i]) + " instead of 5";
      return result;
    }
  }
  result.copy_bytes_per_second = 2.0 * result.bytes_per_array / (copy_ms / 1e3);
  result.triad_bytes_per_second = 3.0 * result.bytes_per_array / (triad_ms / 1e3);
  result.ok = true;
  return result;
}

}  // namespace wsfleet::gpu
