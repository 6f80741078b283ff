#include "coordinator/plan_share.h"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace wsfleet::coordinator {

PlanShare::PlanShare(const common::Clock& clock, PlanLimits limits)
    : clock_(clock), limits_(limits), since_(clock.Now()) {}

void PlanShare::Advance() const {
  common::SteadyTime now = clock_.Now();
  double seconds = std::chrono::duration<double>(now - since_).count();
  slot_seconds_ += seconds * static_cast<double>(held_.size());
  gpu_seconds_ += seconds * gpus_;
  since_ = now;
}

void PlanShare::Hold(const std::string& attempt_id, const std::string& worker_id, size_t gpus) {
  if (held_.count(attempt_id)) return;
  Advance();
  held_[attempt_id] = {worker_id, gpus};
  ++workers_[worker_id];
  gpus_ += static_cast<uint32_t>(gpus);
}

void PlanShare::Release(const std::string& attempt_id) {
  auto found = held_.find(attempt_id);
  if (found == held_.end()) return;
  Advance();
  gpus_ -= static_cast<uint32_t>(found->second.gpus);
  auto worker = workers_.find(found->second.worker_id);
  if (--worker->second == 0) workers_.erase(worker);
  held_.erase(found);
}

std::set<std::string> PlanShare::Workers() const {
  std::set<std::string> ids;
  for (const auto& [id, count] : workers_) ids.insert(id);
  return ids;
}

double PlanShare::slot_seconds() const {
  Advance();
  return slot_seconds_;
}

double PlanShare::gpu_seconds() const {
  Advance();
  return gpu_seconds_;
}

std::optional<std::string> PlanShare::OverQuota(size_t gpus, size_t new_workers) const {
  if (limits_.max_gpus > 0 && gpus > 0 && gpus_ + gpus > limits_.max_gpus) {
    return "the plan holds " + std::to_string(gpus_) + " of its " + std::to_string(limits_.max_gpus) +
           " GPUs (--max-gpus)";
  }
  if (limits_.max_workers > 0 && new_workers > 0 && workers_.size() + new_workers > limits_.max_workers) {
    return "the plan is on " + std::to_string(workers_.size()) + " of its " + std::to_string(limits_.max_workers) +
           " workers (--max-workers)";
  }
  return std::nullopt;
}

std::optional<std::string> PlanShare::BeyondQuota(size_t gpus, int nodes) const {
  size_t all = gpus * static_cast<size_t>(std::max(1, nodes));
  if (limits_.max_gpus > 0 && all > limits_.max_gpus) {
    return "needs " + std::to_string(all) + " GPUs; its plan may hold " + std::to_string(limits_.max_gpus) +
           " (--max-gpus)";
  }
  if (limits_.max_workers > 0 && static_cast<uint32_t>(std::max(1, nodes)) > limits_.max_workers) {
    return "needs " + std::to_string(nodes) + " workers at once; its plan may use " +
           std::to_string(limits_.max_workers) + " (--max-workers)";
  }
  return std::nullopt;
}

double DominantShare(const ShareStanding& plan, const FleetSize& fleet) {
  double slots = fleet.slots > 0 ? static_cast<double>(plan.slots) / fleet.slots : 0;
  double gpus = fleet.gpus > 0 ? static_cast<double>(plan.gpus) / fleet.gpus : 0;
  return std::max(slots, gpus);
}

size_t NextByShare(const std::vector<ShareStanding>& plans, const FleetSize& fleet) {
  auto standing = [&](const ShareStanding& plan) {
    double weight = plan.share > 0 ? plan.share : 1;
    return std::make_tuple(DominantShare(plan, fleet) / weight, plan.slot_seconds / weight);
  };
  size_t best = 0;
  for (size_t i = 1; i < plans.size(); ++i) {
    if (standing(plans[i]) < standing(plans[best])) best = i;
  }
  return best;
}

}  // namespace wsfleet::coordinator
