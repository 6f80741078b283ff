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
  // How long a multi-node gang has waited for N workers free at once (see gang_timeout).
  std::optional<common::SteadyTime> gang_waiting_since;
  // Since when its attempt waits in a busy worker's queue (it is not started yet), and
  // whether it is being taken back from there.
  std::optional<common::SteadyTime> queued_since;
  bool revoking = false;
  std::vector<std::string> attempt_ids;  // every attempt (every rank), oldest first
  // Of the current attempt: its ranks' attempt IDs in rank order (one for a single-node
  // card); the first rank that ended without success, which ends the whole gang once the
  // others have stopped; what its ranks reported.
  std::vector<std::string> gang;
  struct Break {
    bool lost = false;  // lost ranks count against the lost retries, failures the failed
    bool final = false;  // not retried: an agent stopped by its budget would only spend more
    std::string message;
  };
  std::optional<Break> gang_break;
  WorkstreamFacts facts;
};

}  // namespace wsfleet::coordinator
