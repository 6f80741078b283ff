#pragma once

#include <optional>
#include <string>
#include <vector>

#include "coordinator/cluster_view.h"

namespace wsfleet::coordinator {

struct Placement {
  std::string worker_id;
  std::vector<uint32_t> gpu_indices;
};

// Where a workstream goes. Implementations are pure functions of the cluster view.
class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  virtual std::optional<Placement> Place(const PlacementRequest& request,
                                         const ClusterView& cluster) const = 0;
};

// Spreads work: among accepting workers with a free slot (or room in their queue, where
// the request allows queueing), enough free GPUs and matching labels, the one with the
// most free slots (then the lowest ID); the lowest free GPUs.
class SpreadPlacement : public PlacementPolicy {
 public:
  std::optional<Placement> Place(const PlacementRequest& request,
                                 const ClusterView& cluster) const override;
};

}  // namespace wsfleet::coordinator
