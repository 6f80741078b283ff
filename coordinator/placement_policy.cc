#include "coordinator/placement_policy.h"

namespace wsfleet::coordinator {

std::optional<Placement> SpreadPlacement::Place(const PlacementRequest& request,
                                                const ClusterView& cluster) const {
  const WorkerView* best = nullptr;
  for (const auto& [id, worker] : cluster.workers()) {
    if (!worker.CanTakeNow(request)) continue;
    if (best == nullptr || worker.room() > best->room()) best = &worker;
  }
  if (best == nullptr) return std::nullopt;
  std::vector<uint32_t> free = best->FreeGpus();
  free.resize(request.gpus);
  return Placement{best->id, free};
}

}  // namespace wsfleet::coordinator
