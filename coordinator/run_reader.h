#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/plan.h"
#include "coordinator/state_store.h"
#include "coordinator/verdict.h"
#include "coordinator/workstream_facts.h"
#include "proto/enum_names.h"
#include "wsfleet/v1/control.pb.h"

namespace wsfleet::coordinator {

using rpc::Ended;

// Counters the metrics endpoint exports; plain numbers, read on the loop thread.
struct SchedulerCounters {
  uint64_t events_stored = 0;
  uint64_t events_duplicate = 0;
  uint64_t events_stale_rejected = 0;
  uint64_t events_invalid = 0;  // refused by CheckEvent
  uint64_t hellos_invalid = 0;  // refused by CheckHello
  uint64_t leases_expired = 0;
  uint64_t attempts_started = 0;
  uint64_t workers_refused = 0;       // sessions refused (a wrong join token, a bad certificate)
  uint64_t store_write_failures = 0;  // writes the store refused for want of space, retries included
  uint64_t store_held_writes = 0;     // writes held now, waiting for space (a gauge)
};

// One workstream as the run stands, read-only. Valid until the scheduler next changes (the
// loop thread's next event).
struct RunView {
  const common::Workstream& card;
  const WorkstreamRow& row;
  const WorkstreamFacts& facts;  // what its current attempt reported
  const AttemptRow* attempt;     // its current attempt; nullptr before the first
  // Where its work is in the merge queue: "waiting to merge (1 ahead)", "merging",
  // "merged <commit>"; empty when it does not merge.
  std::string merge;
  std::vector<std::string> attempt_ids;  // every attempt, oldest first
  std::vector<std::string> log_paths;    // the attempts' logs, in the same order
  // Its neighbours in the plan as they stand: what it depended on and what depends on it.
  struct Neighbour {
    std::string id;
    std::string name;
    v1::WorkstreamState state = v1::WORKSTREAM_STATE_UNSPECIFIED;
    std::string merge;  // "merged <commit>" when its work merged
    // For a dependent: the dependencies it still waits for (none: it may proceed).
    std::vector<std::string> waiting_for;
  };
  std::vector<Neighbour> dependencies;
  std::vector<Neighbour> dependents;
};

// The run as those who report on it see it (summaries, the report, metrics, the control
// API's reads): they can read it, not change it. Loop thread only.
class RunReader {
 public:
  virtual ~RunReader() = default;
  virtual bool has_plan() const = 0;
  virtual const common::Plan* plan() const = 0;
  virtual const PlanRow& plan_row() const = 0;
  virtual RunView ViewOf(int index) const = 0;
  virtual v1::RunStatus Status() const = 0;
  virtual v1::ListWorkersResponse Workers() const = 0;
  virtual bool Done() const = 0;
  virtual SchedulerCounters counters() const = 0;
  virtual size_t merge_queue_length() const = 0;
  // The fleet's rule for when a workstream is done (its card may ask for stricter).
  virtual Verification verification() const = 0;
};

}  // namespace wsfleet::coordinator
