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
  // A gang: `nodes` placements of `request`, each on its own worker, or none at all. They
  // are chosen before anything is reserved, so a gang holds nothing while it waits and two
  // waiting gangs cannot deadlock each other.
  std::optional<std::vector<Placement>> PlaceGang(PlacementRequest request, int nodes,
                                                  const ClusterView& cluster) const;
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
