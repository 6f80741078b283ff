#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/plan.h"
#include "coordinator/dispatcher.h"
#include "coordinator/merge_queue.h"
#include "coordinator/placement_policy.h"
#include "coordinator/plan_budget.h"
#include "coordinator/plan_run.h"
#include "coordinator/plan_share.h"
#include "coordinator/random_source.h"
#include "coordinator/run_reader.h"
#include "coordinator/scheduler_observer.h"
#include "coordinator/scheduler_options.h"
#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"
#include "coordinator/worker_registry.h"
#include "launcher/worker_demand.h"
#include "wsfleet/v1/control.pb.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// What every plan's scheduler shares with the others, owned by the Scheduler (which
// outlives them): the clock, the store, where commands go, the fleet.
struct SchedulerShared {
  common::Clock& clock;
  StateStore& store;
  SchedulerOutput& output;  // held while the store holds writes
  const PlacementPolicy& placement;
  const SchedulerOptions& options;
  RandomSource& random;
  WorkerRegistry& workers;
  SchedulerObserver* observer;
  // A dispatch round across every plan (by fair share), stored and sent.
  std::function<void()> dispatch;
  // What a launcher says of each worker shape it was asked for (a Slurm job pending and
  // why), by WorkerShape::Key: shown beside the wait reasons of the work of that shape.
  std::map<std::string, std::string> launch_notes;
};

// How long a day of a card's duration estimate is: a working day.
constexpr double kSecondsPerEstimatedDay = 8 * 3600;

// What a status says of the coordinator whatever the plan: where its state and metrics
// are, and whether its store holds writes.
v1::RunStatus CoordinatorStatus(const SchedulerOptions& options, const StateStore& store);

// One plan's run: its workstreams' state machine (promotion, attempts' outcomes, retries,
// blocking, cancel and re-runs), its Dispatcher, merge queue, agent budget and share of the
// fleet, over the PlanRun they share. The Scheduler routes workers' news to the plan whose
// attempt it concerns and stores what several plans changed in one transaction. Loop thread
// only.
class PlanScheduler : public RunReader {
 public:
  PlanScheduler(SchedulerShared& shared, PlanLimits limits);
  ~PlanScheduler() override;
  PlanScheduler(const PlanScheduler&) = delete;
  PlanScheduler& operator=(const PlanScheduler&) = delete;

  // A new plan: stored (retiring the plans named), then adopted. Nothing changes on error.
  absl::Status Store(std::unique_ptr<common::Plan> plan, PlanRow row, const std::vector<std::string>& retire);
  // After Store, once the Scheduler holds it: what is ready is promoted, what no connected
  // worker could run fails, and the fleet dispatches.
  void Begin();
  // The stored plan taken up again: rows, attempts, events replayed, leases expected.
  absl::Status Recover(StoredPlan stored);

  // Whether `attempt_id` is one of this plan's attempts.
  bool Owns(const std::string& attempt_id) const { return run_.attempts.count(attempt_id) > 0; }
  // A returning worker reports one of this plan's attempts running: whether it is still
  // the current one (then adopted; what it missed goes into `after_welcome`).
  bool Reattach(WorkerView& worker, const v1::RunningAttempt& running,
                std::vector<v1::CoordinatorMessage>& after_welcome);
  AttemptRow* Fence(const std::string& worker_id, const v1::Event& event);  // see EventIntake
  // What one stored event changes: the one path for live events and for the events a
  // restarted coordinator replays, in the order they were stored. Endings (`finished`)
  // change the workstream's state in AttemptFinished, live only: recovery has that state
  // from the workstream's row.
  void Apply(const AttemptRow& attempt, const v1::Event& event);
  void AttemptFinished(const std::string& attempt_id, const v1::AttemptFinished& finished);
  void AttemptLost(const std::string& attempt_id, const std::string& reason);
  void MarkDirty(const std::string& attempt_id) { run_.MarkDirty(attempt_id); }
  // The rows changed since the last commit, for the Scheduler's transaction.
  std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> TakeDirty() { return run_.TakeDirty(); }
  void CommitDirty();  // UpdateWorkstreams for state changes not tied to events
  // Rendezvous values and merge turns wait until the change behind them is stored.
  void SendRelays();
  Dispatcher& dispatcher() { return dispatcher_; }
  // Whether it has ready work it could place now (not halted).
  bool Wants() const { return run_.has_plan() && !run_.halted && run_.ready.size() > 0; }
  const PlanShare& share() const { return share_; }

  int Cancel(const std::string& workstream_id, bool all, std::string* error);
  absl::Status Retry(const std::string& workstream_id);
  // See Scheduler::Rerun and Scheduler::Revise.
  struct RerunSelection {
    bool failed = false;
    std::vector<std::string> workstreams;
  };
  absl::StatusOr<int> Rerun(const RerunSelection& selection);
  struct Revision {
    std::vector<std::string> changed, added, removed;
    int rerun = 0;  // to run: new ones, and changed ones with their dependents put back to PENDING
  };
  absl::StatusOr<Revision> Revise(common::Plan plan, bool keep_changed);

  // RunReader.
  v1::RunStatus Status() const override;
  // One workstream's part of Status() (by its index in the plan), without the rest.
  v1::WorkstreamStatus WorkstreamStatusOf(int index) const;
  v1::ListWorkersResponse Workers() const override { return workers_.List(); }
  bool has_plan() const override { return run_.has_plan(); }
  bool Done() const override { return run_.Done(); }
  const common::Plan* plan() const override { return run_.plan.get(); }
  const PlanRow& plan_row() const override { return run_.row; }
  RunView ViewOf(int index) const override;
  SchedulerCounters counters() const override;
  size_t merge_queue_length() const override { return merge_.length(); }
  Verification verification() const override { return options_.verification; }
  const v1::AgentReport& plan_spent() const { return budget_.spent(); }
  // What `wsfleet plans` shows of it: progress, share of the fleet, spend, what is left.
  v1::PlanInfo Info() const;
  // The critical path left by the cards' upper estimates, and the wall time the
  // workstreams that succeeded took against theirs: what an ETA is made of.
  struct Pace {
    double remaining_days = 0;
    double estimated_days_done = 0;
    double seconds_done = 0;
  };
  Pace PaceSoFar() const;
  // Its ready work (due now) by the worker shape it needs, added to `by_shape`; a gang
  // counts once. For a launcher.
  void AddWorkerDemand(std::map<std::string, launcher::Demand>& by_shape, common::SteadyTime now) const;
  // Each workstream's row, in the plan's order (metrics count them by state).
  std::vector<const WorkstreamRow*> Rows() const;

 private:
  void Promote(int index);
  void PromoteDependents(int index);
  WorkstreamRow InitialRow(const common::Workstream& ws) const;
  void ResetRow(WorkstreamRow& row, const common::Workstream& ws) const;
  static std::set<int> WithDependents(std::deque<int> roots, const common::PlanGraph& graph);
  void AfterRerun();
  void BlockDependents(int index, const std::string& reason);
  void Fail(int index, const std::string& message);
  void Finish(int index, v1::WorkstreamState state, const std::string& message);
  void ScheduleRetry(int index, const std::string& why, bool backoff = true);
  void Revoked(int index, const AttemptRow& attempt);
  // Its slot and GPUs are free again, in the fleet and in the plan's share.
  void Release(const AttemptRow& attempt);
  struct RankEnd {
    enum class Kind { kSucceeded, kFailed, kLost, kCancelled, kHandedBack } kind;
    std::string message;
    bool final = false;  // a failure that retrying cannot mend (a budget stop)
  };
  void RankEnded(const AttemptRow& attempt, const RankEnd& end);
  void Resolve(int index);
  void CancelRanks(int index, const std::string& reason);
  void StopForPlanBudget(const std::string& why);
  void Relay(int index, const std::string& key, const std::string& value);
  void SendMergeTurn(const std::optional<std::string>& granted);
  v1::CoordinatorMessage MergeTurn(const std::string& attempt_id) const;
  std::string MergeState(int index) const;  // see RunView::merge
  // `waiting`: WhyWaiting's answers so far, per kind of request.
  void FillWorkstreamStatus(size_t index, v1::WorkstreamStatus& out, std::map<std::string, std::string>& waiting) const;

  common::Clock& clock_;
  StateStore& store_;
  SchedulerOutput& output_;
  const SchedulerOptions& options_;
  RandomSource& random_;
  WorkerRegistry& workers_;
  SchedulerShared& shared_;
  PlanRun run_;
  PlanShare share_;
  PlanBudget budget_;
  MergeQueue merge_;
  Dispatcher dispatcher_;
  std::vector<std::pair<std::string, v1::CoordinatorMessage>> pending_relays_;
  std::vector<std::string> pending_turns_;  // attempts granted the merge turn
};

}  // namespace wsfleet::coordinator
