#include "gpu/gemm.h"

#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <vector>

#include "gpu/dynamic_library.h"
#include "gpu/gemm_inputs.cuh"

namespace wsfleet::gpu {
namespace {

template <typename T>
__device__ T From(float value);
template <>
__device__ float From<float>(float value) { return value; }
template <>
__device__ __half From<__half>(float value) { return __float2half(value); }
template <>
__device__ __nv_bfloat16 From<__nv_bfloat16>(float value) { return __float2bfloat16(value); }

// Column-major: element (row, column) of a rows-tall matrix is at row + column * rows.
template <typename T>
__global__ void FillA(T* a, long long m, long long k) {
  for (long long x = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; x < m * k;
       x += static_cast<long long>(blockDim.x) * gridDim.x) {
    a[x] = From<T>(AValue(x % m, x / m));
  }
}
template <typename T>
__global__ void FillB(T* b, long long k, long long n) {
  for (long long x = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; x < k * n;
       x += static_cast<long long>(blockDim.x) * gridDim.x) {
    b[x] = From<T>(BValue(x % k, x / k));
  }
}

const char* CublasError(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "cuBLAS not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "cuBLAS could not allocate";
    case CUBLAS_STATUS_INVALID_VALUE: return "cuBLAS: invalid value";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "cuBLAS: not supported on this GPU";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "cuBLAS: execution failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "cuBLAS: not supported";
    default: return "cuBLAS error";
  }
}

// cuBLAS, loaded when a GEMM runs rather than linked: linked into the wsfleet binary,
// cuBLASLt's start-up left the metrics endpoint's HTTP server unable to start, in every
// process (coordinator and workers included) that never multiplies a matrix.
struct Cublas {
  void* library = nullptr;
  cublasStatus_t (*create)(cublasHandle_t*) = nullptr;
  cublasStatus_t (*destroy)(cublasHandle_t) = nullptr;
  cublasStatus_t (*gemm_ex)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                            const void*, const void*, cudaDataType, int, const void*, cudaDataType,
                            int, const void*, void*, cudaDataType, int, cublasComputeType_t,
                            cublasGemmAlgo_t) = nullptr;

  // Empty when loaded; else what went wrong.
  std::string Load() {
    std::string error;
    library = OpenCudaLibrary("libcublas.so.13", &error);
    if (library == nullptr) return "cannot load cuBLAS (libcublas.so.13): " + error;
    bool ok = Bind(library, create, "cublasCreate_v2") && Bind(library, destroy, "cublasDestroy_v2") &&
              Bind(library, gemm_ex, "cublasGemmEx");
    return ok ? "" : "libcublas.so.13 lacks cublasCreate_v2, cublasDestroy_v2 or cublasGemmEx";
  }
};

}  // namespace

// What a session holds, freed however it ends.
struct GemmSession::State {
  Cublas cublas;
  int device = 0;
  GemmType type = GemmType::kBf16;
  int m = 0, n = 0, k = 0;
  cudaDataType_t input = CUDA_R_32F;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  void* a = nullptr;
  void* b = nullptr;
  float* c = nullptr;
  cublasHandle_t handle = nullptr;
  ~State() {
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    if (handle != nullptr) cublas.destroy(handle);
    if (cublas.library != nullptr) dlclose(cublas.library);
  }
};

GemmSession::GemmSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
GemmSession::~GemmSession() = default;

std::unique_ptr<GemmSession> GemmSession::Open(int device, GemmType type, int m, int n, int k,
                                               std::string* error) {
  auto cuda_failed = [&](cudaError_t e, const char* what) {
    *error = std::string(what) + ": " + cudaGetErrorString(e);
    return nullptr;
  };
  if (m < 1 || n < 1 || k < 1) {
    *error = "m, n and k must be at least 1";
    return nullptr;
  }
  if (type == GemmType::kFp8) {
    *error = "fp8 runs through RunGemmFp8";
    return nullptr;
  }
  if (cudaError_t e = cudaSetDevice(device); e != cudaSuccess) return cuda_failed(e, "cudaSetDevice");
  auto r = std::make_unique<State>();
  r->device = device;
  r->type = type;
  r->m = m;
  r->n = n;
  r->k = k;
  size_t element = type == GemmType::kFp16 || type == GemmType::kBf16 ? 2 : 4;
  r->input = type == GemmType::kFp16   ? CUDA_R_16F
             : type == GemmType::kBf16 ? CUDA_R_16BF
                                       : CUDA_R_32F;
  r->compute = type == GemmType::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  long long mm = m, nn = n, kk = k;
  if (cudaError_t e = cudaMalloc(&r->a, element * mm * kk); e != cudaSuccess) return cuda_failed(e, "cudaMalloc A");
  if (cudaError_t e = cudaMalloc(&r->b, element * kk * nn); e != cudaSuccess) return cuda_failed(e, "cudaMalloc B");
  if (cudaError_t e = cudaMalloc(&r->c, sizeof(float) * mm * nn); e != cudaSuccess) return cuda_failed(e, "cudaMalloc C");
  dim3 blocks(1024), threads(256);
  if (type == GemmType::kFp16) {
    FillA<<<blocks, threads>>>(static_cast<__half*>(r->a), mm, kk);
    FillB<<<blocks, threads>>>(static_cast<__half*>(r->b), kk, nn);
  } else if (type == GemmType::kBf16) {
    FillA<<<blocks, threads>>>(static_cast<__nv_bfloat16*>(r->a), mm, kk);
    FillB<<<blocks, threads>>>(static_cast<__nv_bfloat16*>(r->b), kk, nn);
  } else {
    FillA<<<blocks, threads>>>(static_cast<float*>(r->a), mm, kk);
    FillB<<<blocks, threads>>>(static_cast<float*>(r->b), kk, nn);
  }
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) return cuda_failed(e, "fill");
  if (std::string loaded = r->cublas.Load(); !loaded.empty()) {
    *error = loaded;
    return nullptr;
  }
  if (cublasStatus_t s = r->cublas.create(&r->handle); s != CUBLAS_STATUS_SUCCESS) {
    *error = std::string("cublasCreate: ") + CublasError(s);
    return nullptr;
  }
  return std::unique_ptr<GemmSession>(new GemmSession(std::move(r)));
}

GemmResult GemmSession::Run(int iterations) {
  GemmResult result;
  State& r = *state_;
  if (iterations < 1) {
    result.error = "iterations must be at least 1";
    return result;
  }
  if (cudaError_t e = cudaSetDevice(r.device); e != cudaSuccess) {
    result.error = std::string("cudaSetDevice: ") + cudaGetErrorString(e);
    return result;
  }
  const float alpha = 1.0f, beta = 0.0f;
  auto multiply = [&] {
    return r.cublas.gemm_ex(r.handle, CUBLAS_OP_N, CUBLAS_OP_N, r.m, r.n, r.k, &alpha, r.a, r.input,
                            r.m, r.b, r.input, r.k, &beta, r.c, CUDA_R_32F, r.m, r.compute,
                            CUBLAS_GEMM_DEFAULT);
  };
  float best_ms = 0;
  if (cublasStatus_t s = BestOf(iterations, multiply, &best_ms); s != CUBLAS_STATUS_SUCCESS) {
    result.error = std::string("cublasGemmEx: ") + CublasError(s);
    return result;
  }
  if (cudaError_t e = cudaDeviceSynchronize(); e != cudaSuccess) {
    result.error = std::string("gemm: ") + cudaGetErrorString(e);
    return result;
  }
  long long mm = r.m, nn = r.n, kk = r.k;
  if (!CheckGemmSample(r.c, mm, nn, kk, GemmTypeName(r.type), result)) return result;
  result.flops_per_second = 2.0 * mm * nn * kk / (best_ms / 1e3);
  result.ok = true;
  return result;
}

GemmResult RunGemm(int device, GemmType type, int m, int n, int k, int iterations) {
  GemmResult result;
  if (m < 1 || n < 1 || k < 1 || iterations < 1) {
    result.error = "m, n, k and iterations must be at least 1";
    return result;
  }
  if (type == GemmType::kFp8) return RunGemmFp8(device, m, n, k, iterations);
  std::unique_ptr<GemmSession> session = GemmSession::Open(device, type, m, n, k, &result.error);
  return session ? session->Run(iterations) : result;
}

bool CheckGemmSample(const float* c, long long m, long long n, long long k, const char* type,
                     GemmResult& result) {
  for (int s = 0; s < 256; ++s) {
    long long i = (s * 2654435761LL) % m;
    long long j = (s * 40503LL + 17) % n;
    float value = 0;
    if (cudaError_t e = cudaMemcpy(&value, c + i + j * m, sizeof value, cudaMemcpyDeviceToHost);
        e != cudaSuccess) {
      result.error = std::string("cudaMemcpy: ") + cudaGetErrorString(e);
      return false;
    }
    double expected = 0;
    for (long long l = 0; l < k; ++l) expected += static_cast<double>(AValue(i, l)) * BValue(l, j);
    double error = std::fabs(value - expected);
    if (error > result.max_abs_error) result.max_abs_error = error;
    if (error > 1e-3 * std::max(1.0, std::fabs(expected))) {
      result.error = std::string(type) + " GEMM is wrong at (" + std::to_string(i) + ", " +
                     std::to_string(j) + "): " + std::to_string(value) + " instead of " +
                     std::to_string(expected);
      return false;
    }
  }
  return true;
}

}  // namespace wsfleet::gpu
