#pragma once

#include <memory>
#include <string>

// Dense matrix multiply throughput through cuBLAS (gemm.cu), with the result checked.
// Kept free of other headers so that nvcc compiles it alone.
namespace wsfleet::gpu {

enum class GemmType { kFp32, kTf32, kFp16, kBf16, kFp8 };

const char* GemmTypeName(GemmType type);  // "fp32", "tf32", "fp16", "bf16", "fp8"

struct GemmResult {
  bool ok = false;
  std::string error;      // when !ok: the CUDA/cuBLAS error, or the wrong element found
  bool unsupported = false;  // the GPU cannot run this type (fp8 before sm_89): not a fault
  double flops_per_second = 0;
  double max_abs_error = 0;  // over the checked sample, against a host reference
};

// C (m x n, fp32) = A (m x k) * B (k x n), A and B in `type`, accumulation in fp32 (TF32
// tensor cores for kTf32). The inputs are multiples of 1/4 in [-0.75, 0.75], exact in
// every type, so the products and their fp32 sums are exact: any difference from the
// host's double reference on a sample of 256 elements is an error. Best of `iterations`.
// kFp8 runs RunGemmFp8.
GemmResult RunGemm(int device, GemmType type, int m, int n, int k, int iterations);

// A GEMM set up once (cuBLAS loaded, its handle made, the inputs allocated and filled) and
// run many times: a burn's rounds reuse it instead of paying that set-up each round, which
// left an H200 idle for two thirds of every round. Not for kFp8.
class GemmSession {
 public:
  // Null, with *error saying why, when the set-up fails.
  static std::unique_ptr<GemmSession> Open(int device, GemmType type, int m, int n, int k,
                                           std::string* error);
  ~GemmSession();
  // As RunGemm: one warm-up, the best of `iterations` timed runs, the result checked.
  GemmResult Run(int iterations);

 private:
  struct State;
  explicit GemmSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The same for fp8 (e4m3) inputs through cuBLASLt (gemm_fp8.cu), fp32 accumulation and
// output; m, n, k multiples of 16. Unsupported before compute capability 8.9.
GemmResult RunGemmFp8(int device, int m, int n, int k, int iterations);

}  // namespace wsfleet::gpu
