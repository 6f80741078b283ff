#include "worker/gpu_inventory.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace wsfleet::worker {
namespace {

v1::GpuDevice Describe(const gpu::DeviceInfo& device) {
  v1::GpuDevice gpu;
  gpu.set_index(static_cast<uint32_t>(device.index));
  gpu.set_uuid(device.uuid);
  gpu.set_name(device.name);
  gpu.set_memory_bytes(device.memory_bytes);
  return gpu;
}

std::string Product(std::string name) {
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

}  // namespace

absl::StatusOr<GpuInventory> BuildGpuInventory(
    const std::string& spec, const absl::StatusOr<std::vector<gpu::DeviceInfo>>& discovered) {
  GpuInventory inventory;
  std::vector<const gpu::DeviceInfo*> described;
  if (spec == "auto") {
    if (discovered.ok()) {
      for (const gpu::DeviceInfo& device : *discovered) {
        inventory.gpus.push_back(Describe(device));
        described.push_back(&device);
      }
    } else {
      inventory.notes.push_back("no GPUs offered: " + std::string(discovered.status().message()));
    }
  } else if (spec != "none") {
    std::set<uint32_t> seen;
    for (absl::string_view part : absl::StrSplit(spec, ',')) {
      uint32_t index = 0;
      if (!absl::SimpleAtoi(part, &index) || !seen.insert(index).second) {
        return absl::InvalidArgumentError("--gpus '" + spec +
                                          "': expected auto, none, or distinct GPU indices such as 0,1");
      }
      if (discovered.ok()) {
        auto found = std::find_if(discovered->begin(), discovered->end(),
                                  [&](const gpu::DeviceInfo& d) { return d.index == static_cast<int>(index); });
        if (found == discovered->end()) {
          return absl::InvalidArgumentError("--gpus: GPU " + std::to_string(index) +
                                            " is not on this machine (the CUDA runtime sees " +
                                            std::to_string(discovered->size()) + ")");
        }
        inventory.gpus.push_back(Describe(*found));
        described.push_back(&*found);
      } else {
        v1::GpuDevice gpu;
        gpu.set_index(index);
        inventory.gpus.push_back(gpu);
      }
    }
    if (!discovered.ok() && !inventory.gpus.empty()) {
      inventory.notes.push_back("GPUs " + spec + " offered as given; the CUDA runtime could not check them (" +
                                std::string(discovered.status().message()) + ")");
    }
  }
  inventory.labels["gpu.count"] = std::to_string(inventory.gpus.size());
  if (!described.empty()) {
    const gpu::DeviceInfo& first = *described.front();
    inventory.labels["gpu.product"] = Product(first.name);
    inventory.labels["gpu.memory_gb"] =
        std::to_string(static_cast<int64_t>(std::llround(static_cast<double>(first.memory_bytes) / 1e9)));
    inventory.labels["gpu.cc"] = first.ComputeCapability();
  }
  return inventory;
}

std::vector<std::string> SplitGpus(const std::vector<uint32_t>& indices, uint32_t workers) {
  std::vector<std::string> shares(workers);
  if (workers == 0) return shares;
  size_t base = indices.size() / workers;
  size_t extra = indices.size() % workers;
  size_t next = 0;
  for (uint32_t w = 0; w < workers; ++w) {
    size_t take = base + (w < extra ? 1 : 0);
    for (size_t i = 0; i < take; ++i) {
      shares[w] += (shares[w].empty() ? "" : ",") + std::to_string(indices[next++]);
    }
    if (shares[w].empty()) shares[w] = "none";
  }
  return shares;
}

}  // namespace wsfleet::worker
