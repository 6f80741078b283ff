#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wsfleet::gpu {

// The fitness gate a worker runs before it offers GPUs (`wsfleet worker --burn-in`): on
// each GPU, STREAM triad and a bf16 GEMM, both with their results checked; with several
// GPUs, a checked NCCL all_reduce across them.
struct BurnInResult {
  bool passed = false;
  std::string reason;  // when it failed: which GPU, what went wrong
  // When it passed: the slowest GPU's figures, as worker labels (gpu.membw_gbps,
  // gpu.gemm_bf16_tflops, gpu.allreduce_busbw_gbps or gpu.nccl=missing), so that cards
  // can select fit nodes.
  std::map<std::string, std::string> labels;
};

BurnInResult RunBurnIn(const std::vector<uint32_t>& gpu_indices);

}  // namespace wsfleet::gpu
