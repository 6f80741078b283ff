// `gpu bench nccl` in a build without CUDA, or whose toolkit has no NCCL header: it runs
// nothing and says why (the command exits 69, as on a machine without a GPU).
#include "gpu/nccl_bench.h"

namespace wsfleet::gpu {

NcclBenchResult RunNcclBench(const NcclBenchOptions&) {
  NcclBenchResult result;
  result.unavailable = true;
  result.error = "this wsfleet was built without NCCL (no CUDA toolkit, or no nccl.h in it)";
  return result;
}

}  // namespace wsfleet::gpu
