#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/environment.h"
#include "coordinator/lease_cell.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

struct PlacementRequest;

// What the coordinator knows of one worker: what it offers, what is in use, its lease.
struct WorkerView {
  std::string id;
  std::string hostname;
  std::string metrics_url;  // the worker's /metrics, from its Hello
  std::string gpu_note;     // why it offers no GPUs (its burn-in failed), from its Hello
  uint32_t slots = 0;
  std::vector<uint32_t> gpu_indices;
  std::map<std::string, std::string> labels;
  v1::WorkerResources resources;

  uint32_t used_slots = 0;
  std::set<uint32_t> busy_gpus;
  std::set<std::string> attempts;  // attempt IDs placed here and not finished

  std::optional<int64_t> indexed_room;  // its key in ClusterView's index by room, if in it

  bool connected = false;
  bool writes_logs = false;  // shares the coordinator's machine: appends attempts' logs itself
  bool draining = false;
  bool lost = false;
  std::shared_ptr<LeaseCell> lease;  // shared with its session (which renews it on heartbeats)
  common::TimerId lease_timer = 0;   // when the loop next looks at whether the lease expired

  int64_t last_heartbeat_unix_ms() const { return lease ? lease->last_heartbeat_unix_ms() : 0; }

  uint32_t free_slots() const { return slots > used_slots ? slots - used_slots : 0; }
  // Free slots, less what it holds queued beyond them (negative then).
  int64_t room() const { return static_cast<int64_t>(slots) - static_cast<int64_t>(used_slots); }
  std::vector<uint32_t> FreeGpus() const;
  bool Accepting() const { return connected && !draining && !lost; }
  bool CanTakeNow(const PlacementRequest& request) const;
};

// What a workstream needs from one worker.
struct PlacementRequest {
  uint32_t gpus = 0;
  std::map<std::string, std::string> labels;  // all must match the worker's labels
  std::set<std::string> label_keys;           // the worker must have these, any value (agent.claude)
  std::set<std::string> exclude_workers;      // a gang's ranks already placed: one per node
  // How many assignments a busy worker may hold queued beyond its slots for this request
  // (0: it needs a free slot now).
  uint32_t queue = 0;
  // The card's Environment, checked against the worker's env.* and gpu.* labels.
  std::vector<common::EnvironmentNeed> environment;
  // When not empty, only these workers (a plan at its --max-workers).
  std::set<std::string> only_workers;
  // When not empty, a gang's ranks all go to workers with one value of this label: the
  // workers of the one launcher job asked for the gang (workers without it are a group of
  // their own).
  std::string same_label;
  // With a launcher: the worker shape the card needs (launcher::WorkerShape::Key). A worker a
  // launcher started for another shape (its label launcher.shape) does not take it: a GPU
  // node's job is not spent on work without GPUs. Workers started by hand take anything.
  std::string shape_key;
};

// The fleet as the scheduler sees it. Loop thread only.
class ClusterView {
 public:
  WorkerView& Upsert(const std::string& id);
  WorkerView* Find(const std::string& id);
  const WorkerView* Find(const std::string& id) const;
  const std::map<std::string, WorkerView>& workers() const { return workers_; }

  void Reserve(const std::string& worker, const std::vector<uint32_t>& gpus,
               const std::string& attempt);
  void Release(const std::string& worker, const std::vector<uint32_t>& gpus,
               const std::string& attempt);

  // Accepting workers by room, most first (then by ID): placement looks at them in this
  // order and stops at the first that fits, so placing the next workstream on a big fleet
  // costs a few steps, not a walk of every worker. Reserve and Release keep it; whoever
  // changes a worker's slots or whether it accepts work (joined, left, drained, lost)
  // calls Reindex. An entry left behind for a worker that no longer accepts is harmless:
  // each candidate is checked (CanTakeNow).
  void Reindex(const std::string& id);
  const std::set<std::pair<int64_t, std::string>>& by_room() const { return by_room_; }  // (-room, id)
  // Changes whenever a worker joins (or says what it has again) or is lost: what no worker
  // could run is worked out again only then (Dispatcher's cache).
  uint64_t makeup() const { return makeup_; }
  void MakeupChanged() { ++makeup_; }

  // Why no worker now in the fleet could ever run `request` (even when idle), or nothing
  // when one could or when no worker has joined yet.
  std::optional<std::string> WhyInfeasible(const PlacementRequest& request) const;
  // The same for a gang of `nodes` placements of `request` on distinct workers.
  std::optional<std::string> WhyGangInfeasible(const PlacementRequest& request, int nodes) const;
  // How many workers could take `request` right now (accepting, free slot, free GPUs).
  int CountPlaceable(const PlacementRequest& request) const;
  // Whether any accepting worker has a free slot, or room in its queue for `queue` more:
  // when none has, nothing more can be placed in this round.
  bool AnyRoom(uint32_t queue) const;
  // Why `request`, which some worker could run, is not placed now: every such worker is
  // draining, away, out of free GPUs or of free slots (named, a few of each).
  std::string WhyWaiting(const PlacementRequest& request) const;

 private:
  std::map<std::string, WorkerView> workers_;
  std::set<std::pair<int64_t, std::string>> by_room_;
  uint64_t makeup_ = 0;
};

bool LabelsMatch(const std::map<std::string, std::string>& wanted,
                 const std::map<std::string, std::string>& offered);

// The request's labels match, its label keys are all there and its environment is met.
bool LabelsMatch(const PlacementRequest& request, const std::map<std::string, std::string>& offered);
// Only the environment part of that.
bool EnvironmentMatches(const PlacementRequest& request, const std::map<std::string, std::string>& offered);

}  // namespace wsfleet::coordinator
