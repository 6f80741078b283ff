// FP8 (e4m3) GEMM through cuBLASLt: the only cuBLAS path to FP8 tensor cores (Hopper sm_90,
// Blackwell sm_100/sm_121). cuBLASLt wants the "TN" layout for FP8: A transposed.

#include <cublasLt.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <string>

#include "gpu/dynamic_library.h"
#include "gpu/gemm.h"
#include "gpu/gemm_inputs.cuh"

namespace wsfleet::gpu {
namespace {

// cuBLASLt, loaded when an FP8 GEMM runs, as cuBLAS is (see gemm.cu for why).
struct CublasLt {
  void* library = nullptr;
  cublasStatus_t (*create)(cublasLtHandle_t*) = nullptr;
  cublasStatus_t (*destroy)(cublasLtHandle_t) = nullptr;
  cublasStatus_t (*desc_create)(cublasLtMatmulDesc_t*, cublasComputeType_t, cudaDataType_t) = nullptr;
  cublasStatus_t (*desc_destroy)(cublasLtMatmulDesc_t) = nullptr;
  cublasStatus_t (*desc_set)(cublasLtMatmulDesc_t, cublasLtMatmulDescAttributes_t, const void*, size_t) = nullptr;
  cublasStatus_t (*layout_create)(cublasLtMatrixLayout_t*, cudaDataType, uint64_t, uint64_t, int64_t) = nullptr;
  cublasStatus_t (*layout_destroy)(cublasLtMatrixLayout_t) = nullptr;
  cublasStatus_t (*preference_create)(cublasLtMatmulPreference_t*) = nullptr;
  cublasStatus_t (*preference_destroy)(cublasLtMatmulPreference_t) = nullptr;
  cublasStatus_t (*preference_set)(cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t,
                                   const void*, size_t) = nullptr;
  cublasStatus_t (*heuristic)(cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t,
                              cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,
                              cublasLtMatmulPreference_t, int, cublasLtMatmulHeuristicResult_t*,
                              int*) = nullptr;
  cublasStatus_t (*matmul)(cublasLtHandle_t, cublasLtMatmulDesc_t, const void*, const void*,
                           cublasLtMatrixLayout_t, const void*, cublasLtMatrixLayout_t, const void*,
                           const void*, cublasLtMatrixLayout_t, void*, cublasLtMatrixLayout_t,
                           const cublasLtMatmulAlgo_t*, void*, size_t, cudaStream_t) = nullptr;

  // Empty when loaded; else what is missing.
  std::string Load() {
    std::string error;
    library = OpenCudaLibrary("libcublasLt.so.13", &error);
    if (library == nullptr) return "cannot load cuBLASLt (libcublasLt.so.13): " + error;
    auto Symbol = [this](auto& function, const char* name) { return Bind(library, function, name); };
    bool ok = Symbol(create, "cublasLtCreate") && Symbol(destroy, "cublasLtDestroy") &&
              Symbol(desc_create, "cublasLtMatmulDescCreate") &&
              Symbol(desc_destroy, "cublasLtMatmulDescDestroy") &&
              Symbol(desc_set, "cublasLtMatmulDescSetAttribute") &&
              Symbol(layout_create, "cublasLtMatrixLayoutCreate") &&
              Symbol(layout_destroy, "cublasLtMatrixLayoutDestroy") &&
              Symbol(preference_create, "cublasLtMatmulPreferenceCreate") &&
              Symbol(preference_destroy, "cublasLtMatmulPreferenceDestroy") &&
              Symbol(preference_set, "cublasLtMatmulPreferenceSetAttribute") &&
              Symbol(heuristic, "cublasLtMatmulAlgoGetHeuristic") && Symbol(matmul, "cublasLtMatmul");
    return ok ? "" : "libcublasLt.so.13 lacks a function the FP8 GEMM needs";
  }
};

// What RunGemmFp8 holds, freed however it leaves.
struct Fp8Resources {
  CublasLt lt;
  void* a = nullptr;
  void* b = nullptr;
  float* c = nullptr;
  void* workspace = nullptr;
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a_layout = nullptr, b_layout = nullptr, c_layout = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  ~Fp8Resources() {
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    cudaFree(workspace);
    if (preference != nullptr) lt.preference_destroy(preference);
    for (cublasLtMatrixLayout_t layout : {a_layout, b_layout, c_layout}) {
      if (layout != nullptr) lt.layout_destroy(layout);
    }
    if (desc != nullptr) lt.desc_destroy(desc);
    if (handle != nullptr) lt.destroy(handle);
    if (lt.library != nullptr) dlclose(lt.library);
  }
};

// A (m x k) stored transposed: element (i, l) at l + i * k, i.e. A^T column-major.
__global__ void FillATransposed(__nv_fp8_e4m3* a, long long m, long long k) {
  for (long long x = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; x < m * k;
       x += static_cast<long long>(blockDim.x) * gridDim.x) {
    a[x] = __nv_fp8_e4m3(AValue(x / k, x % k));
  }
}
// B (k x n) column-major: element (l, j) at l + j * k.
__global__ void FillB(__nv_fp8_e4m3* b, long long k, long long n) {
  for (long long x = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; x < k * n;
       x += static_cast<long long>(blockDim.x) * gridDim.x) {
    b[x] = __nv_fp8_e4m3(BValue(x % k, x / k));
  }
}

}  // namespace

GemmResult RunGemmFp8(int device, int m, int n, int k, int iterations) {
  GemmResult result;
  auto cuda_failed = [&](cudaError_t error, const char* what) {
    result.error = std::string(what) + ": " + cudaGetErrorString(error);
    return result;
  };
  auto cublas_failed = [&](cublasStatus_t status, const char* what) {
    result.error = std::string(what) + " failed (cuBLAS status " + std::to_string(static_cast<int>(status)) + ")";
    return result;
  };
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return cuda_failed(e, "cudaSetDevice");
  cudaDeviceProp properties{};
  if (cudaError_t e = cudaGetDeviceProperties(&properties, device); e != cudaSuccess) {
    return cuda_failed(e, "cudaGetDeviceProperties");
  }
  if (properties.major * 10 + properties.minor < 89) {
    result.unsupported = true;
    result.error = "fp8 needs compute capability 8.9 or newer; this GPU is " +
                   std::to_string(properties.major) + "." + std::to_string(properties.minor);
    return result;
  }
  if (m % 16 != 0 || n % 16 != 0 || k % 16 != 0) {
    result.error = "an fp8 GEMM needs m, n and k that are multiples of 16";
    return result;
  }
  Fp8Resources r;
  const long long mm = m, nn = n, kk = k;
  const size_t workspace_bytes = size_t{32} << 20;
  if (cudaError_t e = cudaMalloc(&r.a, mm * kk); e != cudaSuccess) return cuda_failed(e, "cudaMalloc A");
  if (cudaError_t e = cudaMalloc(&r.b, kk * nn); e != cudaSuccess) return cuda_failed(e, "cudaMalloc B");
  if (cudaError_t e = cudaMalloc(&r.c, sizeof(float) * mm * nn); e != cudaSuccess) return cuda_failed(e, "cudaMalloc C");
  if (cudaError_t e = cudaMalloc(&r.workspace, workspace_bytes); e != cudaSuccess) {
    return cuda_failed(e, "cudaMalloc workspace");
  }
  FillATransposed<<<1024, 256>>>(static_cast<__nv_fp8_e4m3*>(r.a), mm, kk);
  FillB<<<1024, 256>>>(static_cast<__nv_fp8_e4m3*>(r.b), kk, nn);
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return cuda_failed(e, "fill");
  if (std::string error = r.lt.Load(); !error.empty()) {
    result.error = error;
    return result;
  }
  if (cublasStatus_t s = r.lt.create(&r.handle); s != CUBLAS_STATUS_SUCCESS) return cublas_failed(s, "cublasLtCreate");
  // fp32 accumulation and scale; A^T x B in e4m3; C and D in fp32, so the check is exact.
  const cublasOperation_t transpose = CUBLAS_OP_T, none = CUBLAS_OP_N;
  if (cublasStatus_t s = r.lt.desc_create(&r.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F); s != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(s, "cublasLtMatmulDescCreate");
  }
  r.lt.desc_set(r.desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof transpose);
  r.lt.desc_set(r.desc, CUBLASLT_MATMUL_DESC_TRANSB, &none, sizeof none);
  if (cublasStatus_t s = r.lt.layout_create(&r.a_layout, CUDA_R_8F_E4M3, kk, mm, kk); s != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(s, "cublasLtMatrixLayoutCreate A");
  }
  if (cublasStatus_t s = r.lt.layout_create(&r.b_layout, CUDA_R_8F_E4M3, kk, nn, kk); s != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(s, "cublasLtMatrixLayoutCreate B");
  }
  if (cublasStatus_t s = r.lt.layout_create(&r.c_layout, CUDA_R_32F, mm, nn, mm); s != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(s, "cublasLtMatrixLayoutCreate C");
  }
  if (cublasStatus_t s = r.lt.preference_create(&r.preference); s != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(s, "cublasLtMatmulPreferenceCreate");
  }
  r.lt.preference_set(r.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes,
                      sizeof workspace_bytes);
  cublasLtMatmulHeuristicResult_t chosen{};
  int found = 0;
  cublasStatus_t s = r.lt.heuristic(r.handle, r.desc, r.a_layout, r.b_layout, r.c_layout, r.c_layout,
                                    r.preference, 1, &chosen, &found);
  if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
    result.unsupported = true;
    result.error = "cuBLASLt has no fp8 kernel for this GPU and shape";
    return result;
  }
  const float alpha = 1.0f, beta = 0.0f;
  auto multiply = [&] {
    return r.lt.matmul(r.handle, r.desc, &alpha, r.a, r.a_layout, r.b, r.b_layout, &beta, r.c,
                       r.c_layout, r.c, r.c_layout, &chosen.algo, r.workspace, workspace_bytes, nullptr);
  };
  float best_ms = 0;
  if (cublasStatus_t t = BestOf(iterations, multiply, &best_ms); t != CUBLAS_STATUS_SUCCESS) {
    return cublas_failed(t, "cublasLtMatmul");
  }
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return cuda_failed(e, "fp8 gemm");
  if (!CheckGemmSample(r.c, mm, nn, kk, "fp8", result)) return result;
  result.flops_per_second = 2.0 * mm * nn * kk / (best_ms / 1e3);
  result.ok = true;
  return result;
}

}  // namespace wsfleet::gpu
