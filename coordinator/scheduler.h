#pragma once

#include <deque>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/plan.h"
#include "coordinator/held_output.h"
#include "coordinator/event_intake.h"
#include "coordinator/placement_policy.h"
#include "coordinator/plan_scheduler.h"
#include "coordinator/random_source.h"
#include "coordinator/run_reader.h"
#include "coordinator/scheduler_observer.h"
#include "coordinator/scheduler_options.h"
#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"
#include "coordinator/worker_registry.h"
#include "launcher/launcher.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// The coordinator's scheduling state machine: the fleet (the WorkerRegistry with its
// sessions, leases and drain; the EventIntake with its fencing, sequence numbers and
// duplicates) and the plans it holds at once, each a PlanScheduler with its own run,
// dispatcher, merge queue and budget. Plans share the fleet by weighted fair share
// (PlanLimits); workers' news goes to the plan whose attempt it concerns, and what one
// batch changes in several plans is stored in one transaction. Events in (plan submitted,
// worker hello, heartbeat, events, lease expiry, cancel, retry, drain); commands out
// (Assign, Cancel, Ack, Reject, Drain) through SchedulerOutput; every durable change
// through StateStore before anything that depends on it is sent. One thread (the loop's)
// calls everything.
//
// Its RunReader face is the plan submitted last (what a coordinator of one plan at a time
// shows); Plan() and Select() reach the others.
class Scheduler : public RunReader {
 public:
  Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
            const PlacementPolicy& placement, SchedulerOptions options);
  ~Scheduler() override;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Who hears about stored events and endings (the metrics); none by default. Set it
  // after Recover() so that what recovery replays is not counted again.
  void set_observer(SchedulerObserver* observer) { shared_.observer = observer; }

  // Reloads the plans held when the coordinator stopped; call before serving.
  absl::Status Recover();

  // Validates and starts a plan beside those running; a plan that ended is retired (no
  // longer held) when another is submitted. On errors returns them (nothing changes).
  struct SubmitResult {
    std::string plan_id;
    common::Diagnostics diagnostics;
  };
  // `encoded`: the plan's workstreams as EncodeWorkstreams writes them, made off the loop
  // by the caller; empty: encoded here.
  absl::StatusOr<SubmitResult> SubmitParsed(common::Plan plan, const std::string& name, bool keep_going,
                                            std::vector<std::string> encoded = {}, PlanLimits limits = {});
  // The same from the files' text (parsed here, on the loop: tests).
  absl::StatusOr<SubmitResult> Submit(const std::vector<common::SourceFile>& files,
                                      const std::string& name, bool keep_going, PlanLimits limits = {});

  void OnWorkerHello(const v1::Hello& hello);
  void OnHeartbeat(const std::string& worker_id, const v1::Heartbeat& heartbeat);
  // The worker's lease, for its session to renew on heartbeats; none when unknown or lost.
  std::shared_ptr<LeaseCell> LeaseOf(const std::string& worker_id) const { return workers_.LeaseOf(worker_id); }
  void OnWorkerDisconnected(const std::string& worker_id);
  // The worker is shutting down: nothing more is placed on it (until its next Hello).
  void OnWorkerLeaving(const std::string& worker_id, const std::string& reason);
  // A session refused before it joined (a wrong token): logged, rate-limited per worker ID.
  void OnWorkerRefused(const std::string& worker_id, const std::string& reason);
  // A Hello refused by CheckHello: counted, and logged at most so often.
  void OnInvalidHello(const std::string& reason);
  // Queues events; FlushEvents() stores everything queued in one transaction, then acks.
  void OnEvents(const std::string& worker_id, v1::EventBatch batch);
  // The end of a turn of the loop: the workers that joined in it, the events queued, and
  // what they changed and let start, stored (RecordWorkers, then one RecordEvents), then
  // the acks and Assigns sent.
  void FlushEvents();
  absl::Status Drain(const std::string& worker_id);
  // A dispatch round across every plan, stored and sent.
  void Dispatch();

  // Every running plan's ready work by worker shape, most wanted first: what a launcher is
  // asked for. And how many connected workers carry each value of `label` (a launcher's
  // job ID).
  std::vector<launcher::Demand> WorkerDemand() const;
  std::map<std::string, int> ConnectedWorkersBy(const std::string& label) const;
  // No plan held has work left to run or running.
  bool AllPlansDone() const;
  // What the launcher says of each worker shape (see SchedulerShared::launch_notes) and the
  // jobs it holds (for `wsfleet workers`).
  void SetLauncherView(const launcher::LauncherView& view);

  // The plans held, oldest first.
  std::vector<const PlanScheduler*> plans() const;
  PlanScheduler* Plan(const std::string& plan_id);
  const PlanScheduler* Plan(const std::string& plan_id) const;
  // The plan a control command means: `plan_id` when given (an error naming the plans held
  // when there is no such plan); else the only plan held, or the only one still running;
  // else an error listing them.
  absl::StatusOr<PlanScheduler*> Select(const std::string& plan_id);
  // A plan held, or one of the last few retired (what publishes a plan's end may come after
  // the next plan retired it).
  const PlanScheduler* HeldOrRetired(const std::string& plan_id) const;
  absl::StatusOr<const PlanScheduler*> Select(const std::string& plan_id) const;

  // The plan submitted last, for a coordinator of one plan at a time (tests, `wsfleet run`).
  int Cancel(const std::string& workstream_id, bool all, std::string* error);
  absl::Status Retry(const std::string& workstream_id);
  using RerunSelection = PlanScheduler::RerunSelection;
  absl::StatusOr<int> Rerun(const RerunSelection& selection);
  using Revision = PlanScheduler::Revision;
  absl::StatusOr<Revision> Revise(common::Plan plan, bool keep_changed);

  // RunReader: the plan submitted last.
  v1::RunStatus Status() const override;
  v1::ListWorkersResponse Workers() const override;
  bool has_plan() const override { return latest() != nullptr; }
  bool Done() const override { return latest() == nullptr || latest()->Done(); }
  const common::Plan* plan() const override { return latest() ? latest()->plan() : nullptr; }
  const PlanRow& plan_row() const override { return latest() ? latest()->plan_row() : no_plan_; }
  RunView ViewOf(int index) const override { return latest()->ViewOf(index); }
  SchedulerCounters counters() const override;
  size_t merge_queue_length() const override;
  Verification verification() const override { return options_.verification; }
  // What the plan's agents spent so far (tokens, turns, cost), summed over every attempt.
  const v1::AgentReport& plan_spent() const;

 private:
  const PlanScheduler* latest() const { return plans_.empty() ? nullptr : plans_.back().get(); }
  PlanScheduler* latest() { return plans_.empty() ? nullptr : plans_.back().get(); }
  PlanScheduler* OwnerOf(const std::string& attempt_id);
  // Places ready work of every plan: one plan's round as before; several take turns, one
  // placement at a time, to the plan that stands lowest in the fair share.
  void Round();
  FleetSize SizeOfFleet() const;
  void LeaseExpired(WorkerView& worker);
  void AttemptLost(const std::string& attempt_id, const std::string& reason);
  AttemptRow* Fence(const std::string& worker_id, const v1::Event& event);
  void SendRelays();
  void StatusChangedForAll();
  // Every plan's changed rows, for one transaction.
  std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> TakeDirty();

  // The store holds writes (a full disk): retried every second; once through, what waited
  // for them goes out and the scheduler goes on.
  void WatchHeldStore();
  void RetryHeldStore();

  common::Clock& clock_;
  StateStore& store_;
  HeldOutput held_output_;  // output_ is this: messages wait while the store holds writes
  SchedulerOutput& output_;
  common::TimerId store_retry_timer_ = 0;
  SchedulerObserver no_observer_;
  SchedulerOptions options_;
  RandomSource random_;
  WorkerRegistry workers_;
  EventIntake intake_;
  SchedulerShared shared_;
  std::vector<std::unique_ptr<PlanScheduler>> plans_;  // oldest first
  static constexpr size_t kRetiredKept = 4;
  std::deque<std::unique_ptr<PlanScheduler>> retired_;  // the last few retired, oldest first
  PlanRow no_plan_;
  std::vector<launcher::LaunchedJob> launched_jobs_;  // the launcher's, as of its last tick
  mutable FleetSize fleet_size_;
  mutable uint64_t fleet_size_makeup_ = ~uint64_t{0};
  uint64_t attempts_started_retired_ = 0;  // by plans no longer held
  std::vector<WorkerRow> joined_;  // workers that said Hello in this turn of the loop (FlushEvents)
  uint64_t hellos_invalid_ = 0;
  uint64_t workers_refused_ = 0;
  uint64_t leases_expired_ = 0;
  common::LogLimiter log_limiter_;  // refused workers, fenced events: a line per key a minute
};

}  // namespace wsfleet::coordinator
