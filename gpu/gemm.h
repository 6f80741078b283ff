#pragma once

#include <string>

// Dense matrix multiply throughput through cuBLAS (gemm.cu), with the result checked.
// Kept free of other headers so that nvcc compiles it alone.
namespace wsfleet::gpu {

enum class GemmType { kFp32, kTf32, kFp16, kBf16 };

const char* GemmTypeName(GemmType type);  // "fp32", "tf32", "fp16", "bf16"

struct GemmResult {
  bool ok = false;
  std::string error;      // when !ok: the CUDA/cuBLAS error, or the wrong element found
  double flops_per_second = 0;
  double max_abs_error = 0;  // over the checked sample, against a host reference
};

// C (m x n, fp32) = A (m x k) * B (k x n), A and B in `type`, accumulation in fp32 (TF32
// tensor cores for kTf32). The inputs are multiples of 1/4 in [-0.75, 0.75], exact in
// every type, so the products and their fp32 sums are exact: any difference from the
// host's double reference on a sample of 256 elements is an error. Best of `iterations`.
GemmResult RunGemm(int device, GemmType type, int m, int n, int k, int iterations);

}  // namespace wsfleet::gpu
