// `gpu bench nccl` in a CUDA build whose toolkit has no NCCL header: it runs nothing and
// says why (the command exits 69, as on a machine without a GPU).
#include "gpu/nccl_bench.h"

namespace wsfleet::gpu {

NcclBenchResult RunNcclBench(const NcclBenchOptions&) {
  NcclBenchResult result;
  result.unavailable = true;
  result.error = "this wsfleet was built without NCCL (no nccl.h in the CUDA toolkit)";
  return result;
}

}  // namespace wsfleet::gpu
