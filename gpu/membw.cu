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

}  // namespace

// What a session holds, freed however it ends.
struct MembwSession::State {
  int device = 0;
  size_t n = 0;  // doubles per array
  double* a = nullptr;
  double* b = nullptr;
  double* c = nullptr;
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  dim3 blocks;
  dim3 threads{256};
  ~State() {
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    if (start != nullptr) cudaEventDestroy(start);
    if (stop != nullptr) cudaEventDestroy(stop);
  }
};

MembwSession::MembwSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
MembwSession::~MembwSession() = default;

std::unique_ptr<MembwSession> MembwSession::Open(int device, size_t bytes_per_array, std::string* error) {
  auto fail = [&](cudaError_t e, const char* what) {
    *error = std::string(what) + ": " + cudaGetErrorString(e);
    return nullptr;
  };
  auto r = std::make_unique<State>();
  r->device = device;
  r->n = bytes_per_array / sizeof(double);
  if (r->n == 0) {
    *error = "the arrays must hold at least one double";
    return nullptr;
  }
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return fail(e, "cudaSetDevice");
  for (double** array : {&r->a, &r->b, &r->c}) {
    if (cudaError_t e = cudaMalloc(array, r->n * sizeof(double)); e != cudaSuccess) return fail(e, "cudaMalloc");
  }
  if (cudaError_t e = cudaEventCreate(&r->start); e != cudaSuccess) return fail(e, "cudaEventCreate");
  if (cudaError_t e = cudaEventCreate(&r->stop); e != cudaSuccess) return fail(e, "cudaEventCreate");
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  r->blocks = dim3(static_cast<unsigned>(std::max(1, sms) * 8));
  return std::unique_ptr<MembwSession>(new MembwSession(std::move(r)));
}

MembwResult MembwSession::Run(int iterations) {
  MembwResult result;
  State& r = *state_;
  auto fail = [&](cudaError_t error, const char* what) {
    result.error = std::string(what) + ": " + cudaGetErrorString(error);
    return result;
  };
  if (iterations < 1) {
    result.error = "iterations must be at least 1";
    return result;
  }
  result.bytes_per_array = r.n * sizeof(double);
  if (cudaError_t e = cudaSetDevice(r.device); e != cudaSuccess) return fail(e, "cudaSetDevice");
  Fill<<<r.blocks, r.threads>>>(r.a, r.b, r.c, r.n);
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return fail(e, "fill");

  auto best = [&](auto launch) -> float {
    float best_ms = 0;
    for (int i = 0; i < iterations; ++i) {
      cudaEventRecord(r.start);
      launch();
      cudaEventRecord(r.stop);
      cudaEventSynchronize(r.stop);
      float ms = 0;
      cudaEventElapsedTime(&ms, r.start, r.stop);
      if (i == 0 || ms < best_ms) best_ms = ms;
    }
    return best_ms;
  };
  float copy_ms = best([&] { Copy<<<r.blocks, r.threads>>>(r.a, r.c, r.n); });
  const double scalar = 3.0;
  float triad_ms = best([&] { Triad<<<r.blocks, r.threads>>>(r.a, r.b, r.c, scalar, r.n); });
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return fail(e, "kernels");
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return fail(e, "kernels");

  // After copy, c holds a's 1.0; triad then makes a = 2 + 3 * 1 = 5 everywhere.
  std::vector<double> sample(std::min<size_t>(r.n, 4096));
  size_t offset = r.n - sample.size();
  if (cudaError_t e = cudaMemcpy(sample.data(), r.a + offset, sample.size() * sizeof(double),
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

MembwResult RunMembw(int device, size_t bytes_per_array, int iterations) {
  MembwResult result;
  if (bytes_per_array < sizeof(double) || iterations < 1) {
    result.error = "the arrays must hold at least one double and iterations be at least 1";
    return result;
  }
  std::unique_ptr<MembwSession> session = MembwSession::Open(device, bytes_per_array, &result.error);
  return session ? session->Run(iterations) : result;
}

}  // namespace wsfleet::gpu
