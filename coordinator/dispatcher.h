#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "coordinator/cluster_view.h"
#include "coordinator/placement_policy.h"
#include "coordinator/plan_run.h"
#include "coordinator/plan_share.h"
#include "coordinator/random_source.h"
#include "coordinator/run_reader.h"
#include "coordinator/scheduler_options.h"
#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"

namespace wsfleet::coordinator {

// Places ready work on workers. A round walks the ready queue in order and places each
// workstream (every rank of a gang at once, or none) where the PlacementPolicy says; the
// Assigns it builds are sent only once their attempts are stored. It fails what no worker
// could run once the grace has passed, and a gang not placed within its timeout; it queues
// small work on busy workers and takes it back (revokes) when another worker could run it
// sooner. It wakes itself (a timer) for backoffs and deadlines. Loop thread only.
class Dispatcher {
 public:
  // How a workstream the round gives up on fails (the scheduler's state machine).
  using FailFn = std::function<void(int index, const std::string& message)>;
  // What its timer calls when a backoff or deadline passes (none: its own Dispatch); a
  // scheduler of several plans dispatches them all, by fair share.
  using WakeFn = std::function<void()>;

  Dispatcher(common::Clock& clock, StateStore& store, SchedulerOutput& output,
             const PlacementPolicy& placement, ClusterView& cluster, const SchedulerOptions& options,
             PlanRun& run, RandomSource& random, const RunReader& reader, FailFn fail, WakeFn wake = nullptr);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // A round, then the commit of the attempts it placed and their Assigns, then of the rows
  // it changed otherwise.
  void Dispatch();
  // A round alone: the attempts it placed wait for MarkPlacedDirty and SendPlaced, or for
  // Commit.
  void Round();
  // The same in steps, when several plans take turns placing: BeginRound, Step as often as
  // wanted (each places at most `limit` and gives how many; 0: nothing more can be placed
  // in this round), EndRound (takes back what queues hold too long, sets the timer for
  // backoffs and deadlines). Within a round the fleet only fills, so each step goes on
  // from where the last left off: a walk of the ready queue per round, not per placement.
  void BeginRound();
  int Step(int limit);
  void EndRound();
  // Stores the rounds' placed attempts and sends their Assigns, then stores the other rows
  // the rounds changed.
  void Commit();
  // The plan's share of the fleet, whose quotas placement keeps and which holds what it
  // places (none: no quotas).
  void set_share(PlanShare* share) { share_ = share; }
  // For a caller that stores the round with its own transaction (events that ended work
  // and the work that starts in its place, together): the placed attempts and their
  // workstreams join PlanRun's dirty rows; after the commit, SendPlaced sends the Assigns.
  void MarkPlacedDirty();
  void SendPlaced();

  // Why no worker in the fleet could run the workstream (nullopt: some could).
  std::optional<std::string> Infeasible(int index) const;
  // Why a READY workstream some worker could run is not placed now (busy, draining...).
  // Workstreams that ask the same of a worker wait for the same reason: `memo` (one per
  // status) keeps each answer, so a status of many such costs one walk of the fleet each.
  std::string WhyWaiting(int index, std::map<std::string, std::string>* memo = nullptr) const;
  // Takes back everything waiting in workers' queues (nothing new may start).
  void RevokeAllQueued();
  uint64_t attempts_started() const { return attempts_started_; }

 private:
  // One ready workstream in a round: placed, or why not (infeasible, a gang waiting).
  // Whether it was placed.
  bool Consider(int index, common::SteadyTime now, std::optional<common::SteadyTime>& earliest, bool& may_queue);
  // The placement, kept within the plan's quotas: on the workers it holds already when it
  // may hold no more; nothing (and `why`) when over its GPUs.
  std::optional<std::vector<Placement>> PlaceWithinQuota(int index, bool may_queue, std::string& why);
  bool TryAssign(int index, bool may_queue);
  // What the card asks of a worker (with a launcher: of its shape, its gang on one job).
  PlacementRequest Request(const common::Workstream& ws, uint32_t queue_room = 0) const;
  bool Queueable(int index) const;
  std::string GangWaiting(int index) const;
  // Takes back queued attempts that another worker, free now, could run (revoke_after).
  void RevokeQueued(common::SteadyTime now, std::optional<common::SteadyTime>& earliest);
  void SendRevoke(int index);
  // What a retry's agent hears of the attempt before it: its session and its failure.
  struct RetryContext {
    std::string resume_session;
    v1::AgentReport resume_baseline;  // what that session reported before, summed
    std::string previous_failure;
  };
  RetryContext RetryContextOf(int index) const;
  void QueueAssign(int index, const AttemptRow& attempt, const std::vector<std::string>& node_addrs,
                   const RetryContext& retry);
  void StorePlaced();  // commits the round's attempts in one transaction, then sends

  common::Clock& clock_;
  StateStore& store_;
  SchedulerOutput& output_;
  const PlacementPolicy& placement_;
  ClusterView& cluster_;
  const SchedulerOptions& options_;
  PlanRun& run_;
  RandomSource& random_;
  const RunReader& reader_;
  FailFn fail_;
  WakeFn wake_;
  PlanShare* share_ = nullptr;
  // The round's Assigns and their attempts: sent once the attempts are committed.
  std::vector<std::pair<std::string, v1::CoordinatorMessage>> assigns_;
  std::vector<std::string> placed_;
  common::TimerId timer_ = 0;
  struct RoundState {
    bool active = false;    // a plan to place, nothing halted, the store not holding writes
    bool finished = false;  // the ready queue walked to its end, or no worker has room
    common::SteadyTime now{};
    std::optional<common::SteadyTime> earliest;  // the next backoff or deadline seen
    bool may_queue = false;
    std::optional<ReadyQueue::Key> after;  // where the next step goes on
  };
  RoundState round_;
  uint64_t attempts_started_ = 0;
  // Infeasible()'s answers by kind of request, for the fleet's make-up they were found for.
  mutable std::map<std::string, std::optional<std::string>> infeasible_;
  mutable uint64_t infeasible_makeup_ = ~uint64_t{0};
  // Ready work parked in the queue (ReadyQueue::Park): the fleet's make-up it was found
  // unplaceable in, and the first end of its grace.
  uint64_t parked_makeup_ = 0;
  std::optional<common::SteadyTime> parked_due_;
};

}  // namespace wsfleet::coordinator
