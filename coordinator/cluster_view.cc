#include "coordinator/cluster_view.h"

#include "launcher/launcher.h"

#include <algorithm>

namespace wsfleet::coordinator {

namespace {

// "w1, w2, w3 and 4 more" (`separator` between them).
std::string FewOf(const std::vector<std::string>& names, const char* separator = ", ") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 3; ++i) out += (i == 0 ? "" : separator) + names[i];
  if (names.size() > 3) out += " and " + std::to_string(names.size() - 3) + " more";
  return out;
}

bool PlainLabelsMatch(const PlacementRequest& request, const std::map<std::string, std::string>& offered) {
  for (const std::string& key : request.label_keys) {
    if (!offered.count(key)) return false;
  }
  return LabelsMatch(request.labels, offered);
}

}  // namespace

std::vector<uint32_t> WorkerView::FreeGpus() const {
  std::vector<uint32_t> free;
  for (uint32_t index : gpu_indices) {
    if (!busy_gpus.count(index)) free.push_back(index);
  }
  return free;
}

bool WorkerView::CanTakeNow(const PlacementRequest& request) const {
  return Accepting() && used_slots < slots + request.queue && !request.exclude_workers.count(id) &&
         (request.only_workers.empty() || request.only_workers.count(id) > 0) && FreeGpus().size() >= request.gpus &&
         LabelsMatch(request, labels);
}

WorkerView& ClusterView::Upsert(const std::string& id) {
  auto [found, inserted] = workers_.try_emplace(id);
  if (inserted) ++makeup_;  // a worker expected back (recovery) counts as one present
  found->second.id = id;
  return found->second;
}

WorkerView* ClusterView::Find(const std::string& id) {
  auto found = workers_.find(id);
  return found == workers_.end() ? nullptr : &found->second;
}

const WorkerView* ClusterView::Find(const std::string& id) const {
  auto found = workers_.find(id);
  return found == workers_.end() ? nullptr : &found->second;
}

void ClusterView::Reserve(const std::string& worker_id, const std::vector<uint32_t>& gpus,
                          const std::string& attempt) {
  WorkerView& worker = Upsert(worker_id);
  if (!worker.attempts.insert(attempt).second) return;
  ++worker.used_slots;
  worker.busy_gpus.insert(gpus.begin(), gpus.end());
  Reindex(worker_id);
}

void ClusterView::Release(const std::string& worker_id, const std::vector<uint32_t>& gpus,
                          const std::string& attempt) {
  WorkerView* worker = Find(worker_id);
  if (worker == nullptr || worker->attempts.erase(attempt) == 0) return;
  if (worker->used_slots > 0) --worker->used_slots;
  for (uint32_t gpu : gpus) worker->busy_gpus.erase(gpu);
  Reindex(worker_id);
}

void ClusterView::Reindex(const std::string& id) {
  WorkerView* worker = Find(id);
  if (worker == nullptr) return;
  if (worker->indexed_room) by_room_.erase({-*worker->indexed_room, id});
  worker->indexed_room.reset();
  if (!worker->Accepting()) return;
  worker->indexed_room = worker->room();
  by_room_.insert({-worker->room(), id});
}

bool LabelsMatch(const std::map<std::string, std::string>& wanted,
                 const std::map<std::string, std::string>& offered) {
  for (const auto& [key, value] : wanted) {
    auto found = offered.find(key);
    if (found == offered.end() || found->second != value) return false;
  }
  return true;
}

bool LabelsMatch(const PlacementRequest& request, const std::map<std::string, std::string>& offered) {
  if (!request.shape_key.empty()) {
    auto shape = offered.find(launcher::kShapeLabel);
    if (shape != offered.end() && shape->second != request.shape_key) return false;
  }
  return PlainLabelsMatch(request, offered) && EnvironmentMatches(request, offered);
}

bool EnvironmentMatches(const PlacementRequest& request, const std::map<std::string, std::string>& offered) {
  for (const common::EnvironmentNeed& need : request.environment) {
    if (!common::Satisfies(need, offered)) return false;
  }
  return true;
}


std::optional<std::string> ClusterView::WhyInfeasible(const PlacementRequest& request) const {
  bool any = false;
  size_t most_gpus = 0;
  bool any_labels = false;
  bool any_environment = false;
  std::vector<std::string> lacking;  // label-matching workers, with what they have
  for (const auto& [id, worker] : workers_) {
    if (worker.lost) continue;
    any = true;
    bool labels = PlainLabelsMatch(request, worker.labels);
    bool environment = labels && EnvironmentMatches(request, worker.labels);
    any_labels = any_labels || labels;
    any_environment = any_environment || environment;
    if (labels && !environment) lacking.push_back(id + ": " + common::DescribeEnvironment(worker.labels));
    if (environment && worker.slots > 0 && worker.gpu_indices.size() >= request.gpus) {
      return std::nullopt;
    }
    if (environment) most_gpus = std::max(most_gpus, worker.gpu_indices.size());
  }
  if (!any) return std::nullopt;
  if (!any_labels) {
    std::string wanted;
    for (const auto& [key, value] : request.labels) {
      wanted += (wanted.empty() ? "" : ",") + key + "=" + value;
    }
    for (const std::string& key : request.label_keys) wanted += (wanted.empty() ? "" : ",") + key;
    std::string why = "no worker has the labels " + wanted;
    // A worker that has the CLI, too old for wsfleet's template, says so (agent.X.refused).
    for (const std::string& key : request.label_keys) {
      for (const auto& [id, worker] : workers_) {
        auto refused = worker.labels.find(key + ".refused");
        if (!worker.lost && refused != worker.labels.end()) why += "; " + id + " has " + key + " " + refused->second;
      }
    }
    return why;
  }
  if (!any_environment) {
    std::string needs;
    for (const common::EnvironmentNeed& need : request.environment) {
      if (need.kind != common::EnvironmentNeed::Kind::kHint) needs += (needs.empty() ? "" : ", ") + common::Describe(need);
    }
    return "needs " + needs + ": no such worker (" + FewOf(lacking, "; ") + ")";
  }
  return "needs " + std::to_string(request.gpus) + " GPUs; the largest matching worker has " +
         std::to_string(most_gpus);
}

std::string ClusterView::WhyWaiting(const PlacementRequest& request) const {
  std::vector<std::string> draining, away, short_of_gpus, busy;
  for (const auto& [id, worker] : workers_) {
    if (worker.lost || worker.slots == 0 || worker.gpu_indices.size() < request.gpus ||
        request.exclude_workers.count(id) || !LabelsMatch(request, worker.labels)) {
      continue;
    }
    if (!worker.connected) {
      away.push_back(id);
    } else if (worker.draining) {
      draining.push_back(id);
    } else if (worker.FreeGpus().size() < request.gpus) {
      short_of_gpus.push_back(id);
    } else {
      busy.push_back(id);
    }
  }
  if (!busy.empty()) return "waiting for a free slot (busy: " + FewOf(busy) + ")";
  if (!short_of_gpus.empty()) {
    return "waiting for " + std::to_string(request.gpus) + " free GPU" + (request.gpus == 1 ? "" : "s") +
           " (in use on " + FewOf(short_of_gpus) + ")";
  }
  if (!away.empty()) return "waiting for its workers to reconnect (" + FewOf(away) + ")";
  if (!draining.empty()) return "waiting: every worker that can run it is draining (" + FewOf(draining) + ")";
  return workers_.empty() ? "waiting for a worker to join" : "waiting for a worker that can run it";
}

std::optional<std::string> ClusterView::WhyGangInfeasible(const PlacementRequest& request,
                                                          int nodes) const {
  if (std::optional<std::string> single = WhyInfeasible(request)) return single;
  int able = 0;
  bool any = false;
  for (const auto& [id, worker] : workers_) {
    if (worker.lost) continue;
    any = true;
    if (worker.slots > 0 && worker.gpu_indices.size() >= request.gpus && LabelsMatch(request, worker.labels)) {
      ++able;
    }
  }
  if (!any || able >= nodes) return std::nullopt;
  std::string what = request.gpus > 0 ? " with " + std::to_string(request.gpus) + " GPUs" : "";
  return "needs " + std::to_string(nodes) + " nodes" + what + "; the fleet has " +
         std::to_string(able);
}

bool ClusterView::AnyRoom(uint32_t queue) const {
  for (const auto& [negative_room, id] : by_room_) {
    if (-negative_room <= -static_cast<int64_t>(queue)) return false;  // the rest have less
    const WorkerView* worker = Find(id);
    if (worker != nullptr && worker->Accepting() && worker->used_slots < worker->slots + queue) return true;
  }
  return false;
}

int ClusterView::CountPlaceable(const PlacementRequest& request) const {
  int count = 0;
  for (const auto& [id, worker] : workers_) count += worker.CanTakeNow(request) ? 1 : 0;
  return count;
}

}  // namespace wsfleet::coordinator
