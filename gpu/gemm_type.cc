// The GEMM types' names, apart from gemm.cu: a build without CUDA lists them too (`gpu
// bench gemm --type` is checked before it says there is no CUDA).
#include "gpu/gemm.h"

namespace wsfleet::gpu {

const char* GemmTypeName(GemmType type) {
  switch (type) {
    case GemmType::kFp32: return "fp32";
    case GemmType::kTf32: return "tf32";
    case GemmType::kFp16: return "fp16";
    case GemmType::kBf16: return "bf16";
    case GemmType::kFp8: return "fp8";
  }
  return "unknown";
}

}  // namespace wsfleet::gpu
