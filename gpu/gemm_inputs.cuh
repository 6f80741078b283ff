#pragma once

// What gemm.cu and gemm_fp8.cu share: the inputs (the same on device and host), the timing
// loop, and the check of the result against the host's reference.

#include <cublas_api.h>
#include <cuda_runtime.h>

#include "gpu/gemm.h"

namespace wsfleet::gpu {

// Multiples of 1/4 in [-0.75, 0.75]: exact in fp8 (e4m3), fp16, bf16 and tf32, so every
// product and its fp32 sum is exact and the result must equal the reference.
__host__ __device__ inline float AValue(long long i, long long l) {
  return static_cast<float>((i * 7 + l * 3) % 5 - 2) * 0.25f;
}
__host__ __device__ inline float BValue(long long l, long long j) {
  return static_cast<float>((l * 5 + j * 11) % 7 - 3) * 0.25f;
}

// One warm-up, then `iterations` timed runs of `multiply` (returning a cublasStatus_t);
// the best time in *best_ms. The first failure's status, else CUBLAS_STATUS_SUCCESS.
template <typename Multiply>
cublasStatus_t BestOf(int iterations, Multiply multiply, float* best_ms) {
  if (cublasStatus_t s = multiply(); s != CUBLAS_STATUS_SUCCESS) return s;
  cudaEvent_t start = nullptr, stop = nullptr;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  for (int i = 0; i < iterations && status == CUBLAS_STATUS_SUCCESS; ++i) {
    cudaEventRecord(start);
    status = multiply();
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    if (i == 0 || ms < *best_ms) *best_ms = ms;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return status;
}

// Compares 256 sampled elements of C (m x n, column-major fp32, on the device) with the
// host's double reference of A x B; false, with result.error naming the first wrong
// element, when one differs. Records the largest difference seen.
bool CheckGemmSample(const float* c, long long m, long long n, long long k, const char* type,
                     GemmResult& result);

}  // namespace wsfleet::gpu
