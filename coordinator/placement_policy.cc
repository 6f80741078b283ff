#include "coordinator/placement_policy.h"

namespace wsfleet::coordinator {

std::optional<std::vector<Placement>> PlacementPolicy::PlaceGang(PlacementRequest request, int nodes,
                                                                 const ClusterView& cluster) const {
  std::vector<Placement> placements;
  for (int rank = 0; rank < nodes; ++rank) {
    std::optional<Placement> placement = Place(request, cluster);
    if (!placement) return std::nullopt;
    request.exclude_workers.insert(placement->worker_id);
    placements.push_back(std::move(*placement));
  }
  return placements;
}

std::optional<Placement> SpreadPlacement::Place(const PlacementRequest& request,
                                                const ClusterView& cluster) const {
  // The first that can take it, most room first: the one with the most room among them.
  const WorkerView* best = nullptr;
  for (const auto& [negative_room, id] : cluster.by_room()) {
    if (-negative_room <= -static_cast<int64_t>(request.queue)) break;  // none further has room
    const WorkerView* worker = cluster.Find(id);
    if (worker != nullptr && worker->CanTakeNow(request)) {
      best = worker;
      break;
    }
  }
  if (best == nullptr) return std::nullopt;
  std::vector<uint32_t> free = best->FreeGpus();
  free.resize(request.gpus);
  return Placement{best->id, free};
}

}  // namespace wsfleet::coordinator
