#include "launcher/launch_decision.h"

#include <algorithm>
#include <map>

namespace wsfleet::launcher {
namespace {

int JobsWanted(const Demand& demand, const LaunchLimits& limits) {
  if (demand.workstreams <= 0) return 0;
  if (demand.shape.gpus > 0 || demand.shape.nodes > 1) return demand.workstreams;
  int per_job = std::max(1, limits.workstreams_per_job);
  return (demand.workstreams + per_job - 1) / per_job;
}

}  // namespace

LaunchDecision DecideLaunches(const std::vector<Demand>& demand, const std::vector<LaunchedJob>& jobs,
                              const LaunchLimits& limits) {
  LaunchDecision decision;
  std::map<std::string, int> wanted;
  for (const Demand& d : demand) wanted[d.shape.Key()] += JobsWanted(d, limits);
  // What is on its way, per shape (newest last), and the nodes every live job holds.
  std::map<std::string, std::vector<const LaunchedJob*>> coming;
  int nodes_held = 0;
  for (const LaunchedJob& job : jobs) {
    if (job.state == JobState::kEnded) continue;
    nodes_held += std::max(1, job.shape.nodes);
    if (job.state == JobState::kPending || job.state == JobState::kStarting) coming[job.shape.Key()].push_back(&job);
  }
  for (auto& [key, on_the_way] : coming) {
    std::stable_sort(on_the_way.begin(), on_the_way.end(),
                     [](const LaunchedJob* a, const LaunchedJob* b) { return a->submitted < b->submitted; });
    int excess = static_cast<int>(on_the_way.size()) - wanted[key];
    // Only pending jobs are given up: one that started is about to bring its worker.
    for (auto job = on_the_way.rbegin(); job != on_the_way.rend() && excess > 0; ++job) {
      if ((*job)->state != JobState::kPending) continue;
      decision.cancel.push_back((*job)->id);
      nodes_held -= std::max(1, (*job)->shape.nodes);
      --excess;
    }
  }
  // In the order the demand lists them (the coordinator lists the most urgent first).
  for (const Demand& d : demand) {
    auto found = wanted.find(d.shape.Key());
    if (found == wanted.end()) continue;  // a shape listed twice: asked for once
    int missing = found->second - static_cast<int>(coming[found->first].size());
    wanted.erase(found);
    for (; missing > 0; --missing) {
      int nodes = std::max(1, d.shape.nodes);
      if (nodes_held + nodes > limits.max_workers) break;
      decision.submit.push_back(d.shape);
      nodes_held += nodes;
    }
  }
  return decision;
}

}  // namespace wsfleet::launcher
