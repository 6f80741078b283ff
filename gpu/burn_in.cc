#include "gpu/burn_in.h"

#include <algorithm>
#include <cstdio>

#include "gpu/devices.h"
#include "gpu/nccl_bench.h"

#ifdef WSFLEET_HAVE_CUDA
#include "gpu/gemm.h"
#include "gpu/membw.h"
#endif

namespace wsfleet::gpu {
#ifdef WSFLEET_HAVE_CUDA
namespace {

std::string Fixed(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

}  // namespace
#endif

BurnInResult RunBurnIn(const std::vector<uint32_t>& gpu_indices) {
  BurnInResult result;
  absl::StatusOr<std::vector<DeviceInfo>> devices = DiscoverDevices();
  if (!devices.ok()) {
    result.reason = "burn-in could not run: " + std::string(devices.status().message());
    return result;
  }
#ifdef WSFLEET_HAVE_CUDA
  double slowest_membw = -1, slowest_gemm = -1;
  for (uint32_t index : gpu_indices) {
    bool present = std::any_of(devices->begin(), devices->end(),
                               [&](const DeviceInfo& d) { return d.index == static_cast<int>(index); });
    std::string gpu = "GPU " + std::to_string(index);
    if (!present) {
      result.reason = "burn-in: " + gpu + " is not on this machine";
      return result;
    }
    MembwResult membw = RunMembw(static_cast<int>(index), size_t{256} << 20, 5);
    if (!membw.ok) {
      result.reason = "burn-in: " + gpu + " memory bandwidth: " + membw.error;
      return result;
    }
    GemmResult gemm = RunGemm(static_cast<int>(index), GemmType::kBf16, 4096, 4096, 4096, 3);
    if (!gemm.ok) {
      result.reason = "burn-in: " + gpu + " GEMM: " + gemm.error;
      return result;
    }
    double membw_gbps = membw.triad_bytes_per_second / 1e9;
    double gemm_tflops = gemm.flops_per_second / 1e12;
    if (slowest_membw < 0 || membw_gbps < slowest_membw) slowest_membw = membw_gbps;
    if (slowest_gemm < 0 || gemm_tflops < slowest_gemm) slowest_gemm = gemm_tflops;
  }
  // Several GPUs: they must also talk to each other (NVLink/PCIe), as multi-GPU cards
  // expect. A node without NCCL still passes, labelled so that cards can avoid it.
  if (gpu_indices.size() > 1) {
    NcclBenchOptions nccl;
    nccl.world_size = static_cast<int>(gpu_indices.size());
    nccl.devices.assign(gpu_indices.begin(), gpu_indices.end());
    nccl.collectives = {Collective::kAllReduce};
    nccl.sizes = {uint64_t{64} << 20};
    nccl.iterations = 5;
    NcclBenchResult all_reduce = RunNcclBench(nccl);
    if (all_reduce.unavailable) {
      result.labels["gpu.nccl"] = "missing";
    } else if (!all_reduce.ok || all_reduce.rows.empty() || all_reduce.rows[0].wrong > 0) {
      result.reason = "burn-in: local NCCL all_reduce across GPUs " + std::to_string(gpu_indices.front()) +
                      ".." + std::to_string(gpu_indices.back()) + ": " +
                      (all_reduce.ok ? "wrong data" : all_reduce.error);
      return result;
    } else {
      result.labels["gpu.allreduce_busbw_gbps"] = Fixed(all_reduce.rows[0].busbw / 1e9);
    }
  }
  result.passed = true;
  if (slowest_membw >= 0) {
    result.labels["gpu.membw_gbps"] = Fixed(slowest_membw);
    result.labels["gpu.gemm_bf16_tflops"] = Fixed(slowest_gemm);
  }
  return result;
#else
  (void)gpu_indices;
  result.reason = "burn-in could not run: this wsfleet was built without CUDA";
  return result;
#endif
}

}  // namespace wsfleet::gpu
