#include "coordinator/placement_policy.h"

#include <map>
#include <set>

namespace wsfleet::coordinator {

std::optional<std::vector<Placement>> PlacementPolicy::PlaceGang(PlacementRequest request, int nodes,
                                                                 const ClusterView& cluster) const {
  if (!request.same_label.empty() && nodes > 1) {
    // One group at a time, never ranks from two: each value of the label, then the workers
    // without it.
    std::map<std::string, std::set<std::string>> groups;
    for (const auto& [id, worker] : cluster.workers()) {
      if (!worker.Accepting()) continue;
      auto value = worker.labels.find(request.same_label);
      groups[value == worker.labels.end() ? std::string() : value->second].insert(id);
    }
    for (auto& [value, members] : groups) {
      if (static_cast<int>(members.size()) < nodes) continue;
      PlacementRequest within = request;
      within.same_label.clear();
      if (!within.only_workers.empty()) {
        std::set<std::string> both;
        for (const std::string& id : members) {
          if (within.only_workers.count(id) > 0) both.insert(id);
        }
        members = std::move(both);
      }
      within.only_workers = std::move(members);
      if (within.only_workers.empty()) continue;
      if (std::optional<std::vector<Placement>> placed = PlaceGang(within, nodes, cluster)) return placed;
    }
    return std::nullopt;
  }
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
