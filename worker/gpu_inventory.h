#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gpu/devices.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// The GPUs a worker offers the coordinator, and the labels that describe them.
struct GpuInventory {
  std::vector<v1::GpuDevice> gpus;
  // gpu.count always; gpu.product (as GPU feature discovery writes it: spaces become
  // dashes), gpu.memory_gb and gpu.cc when the CUDA runtime described the GPUs.
  std::map<std::string, std::string> labels;
  std::vector<std::string> notes;  // what the user should know (printed at start)
};

// From the worker's --gpus and what the CUDA runtime found:
//   "auto"   every GPU found (none, with a note saying why, when discovery failed);
//   "none"   no GPU;
//   "0,2"    exactly these indices: an error if the runtime found GPUs and one of these
//            is not among them; advertised as given, with a note, when the runtime could
//            not look (no driver in this container, or a build without CUDA).
absl::StatusOr<GpuInventory> BuildGpuInventory(
    const std::string& spec, const absl::StatusOr<std::vector<gpu::DeviceInfo>>& discovered);

// Splits `indices` among `workers` local workers as evenly as possible, in order:
// 4 GPUs over 2 workers -> "0,1" and "2,3"; "none" for a worker left without one.
std::vector<std::string> SplitGpus(const std::vector<uint32_t>& indices, uint32_t workers);

}  // namespace wsfleet::worker
