#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/scheduler.h"

namespace wsfleet::coordinator {

// What the scheduler tracks for one workstream: its durable row plus what only lives in
// memory (rebuilt from events on recovery).
struct Scheduler::Run {
  WorkstreamRow row;
  common::SteadyTime not_before{};  // backoff: not dispatched before this
  bool cancel_requested = false;
  std::string waiting;              // why a READY workstream is not placed yet
  // When no worker in the fleet could run it (too few GPUs, no matching labels): it fails
  // once that has lasted SchedulerOptions::infeasible_grace, giving workers time to join.
  std::optional<common::SteadyTime> infeasible_since;
  std::vector<std::string> attempt_ids;  // every attempt, oldest first
  // Of the current attempt:
  std::map<std::string, double> metrics;
  std::map<std::string, bool> deliverables;
  v1::TestCounts tests;
};

}  // namespace wsfleet::coordinator
