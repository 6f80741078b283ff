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
#include "coordinator/dispatcher.h"
#include "coordinator/held_output.h"
#include "coordinator/event_intake.h"
#include "coordinator/merge_queue.h"
#include "coordinator/placement_policy.h"
#include "coordinator/plan_budget.h"
#include "coordinator/plan_run.h"
#include "coordinator/random_source.h"
#include "coordinator/run_reader.h"
#include "coordinator/scheduler_observer.h"
#include "coordinator/scheduler_options.h"
#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"
#include "coordinator/worker_registry.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// The coordinator's scheduling state machine, over its parts: the WorkerRegistry (sessions,
// leases, drain), the EventIntake (fencing, sequence numbers, duplicates), the Dispatcher
// (placing ready work), the MergeQueue and the PlanBudget, all sharing one PlanRun. Events
// in (plan submitted, worker hello, heartbeat, events, lease expiry, cancel, retry,
// drain); commands out (Assign, Cancel, Ack, Reject, Drain) through SchedulerOutput; every
// durable change through StateStore before anything that depends on it is sent. One
// thread (the loop's) calls everything.
class Scheduler : public RunReader {
 public:
  Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
            const PlacementPolicy& placement, SchedulerOptions options);
  ~Scheduler() override;
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Who hears about stored events and endings (the metrics); none by default. Set it
  // after Recover() so that what recovery replays is not counted again.
  void set_observer(SchedulerObserver* observer) { observer_ = observer; }

  // Reloads the last plan's run from the store; call before serving.
  absl::Status Recover();

  // Validates and starts a plan; on errors returns them (nothing changes).
  struct SubmitResult {
    std::string plan_id;
    common::Diagnostics diagnostics;
  };
  // `encoded`: the plan's workstreams as EncodeWorkstreams writes them, made off the loop
  // by the caller; empty: encoded here.
  absl::StatusOr<SubmitResult> SubmitParsed(common::Plan plan, const std::string& name, bool keep_going,
                                            std::string encoded = "");
  // The same from the files' text (parsed here, on the loop: tests).
  absl::StatusOr<SubmitResult> Submit(const std::vector<common::SourceFile>& files,
                                      const std::string& name, bool keep_going);

  void OnWorkerHello(const v1::Hello& hello);
  void OnHeartbeat(const std::string& worker_id, const v1::Heartbeat& heartbeat);
  void OnWorkerDisconnected(const std::string& worker_id);
  // The worker is shutting down: nothing more is placed on it (until its next Hello).
  void OnWorkerLeaving(const std::string& worker_id, const std::string& reason);
  // A session refused before it joined (a wrong token): logged, rate-limited per worker ID.
  void OnWorkerRefused(const std::string& worker_id, const std::string& reason);
  // A Hello refused by CheckHello: counted, and logged at most so often.
  void OnInvalidHello(const std::string& reason);
  // Queues events; FlushEvents() stores everything queued in one transaction, then acks.
  void OnEvents(const std::string& worker_id, v1::EventBatch batch);
  void FlushEvents();

  int Cancel(const std::string& workstream_id, bool all, std::string* error);
  absl::Status Retry(const std::string& workstream_id);
  // Runs again, with everything that depends on them (it ran on their results): every
  // FAILED, CANCELLED and BLOCKED workstream (`failed`), and those named (SUCCEEDED ones
  // too). A finished or halted plan runs again for them; what succeeded otherwise stays.
  // Refused, changing nothing, while one of them is placed or running, or for an unknown
  // ID. Gives how many were put back to PENDING.
  struct RerunSelection {
    bool failed = false;
    std::vector<std::string> workstreams;
  };
  absl::StatusOr<int> Rerun(const RerunSelection& selection);
  // The finished (or halted) plan with edited cards, `plan` parsed from them: the cards are
  // replaced and stored; a workstream whose card asks something else now (CardContent) runs
  // again with its dependents unless `keep_changed`; a new card's workstream runs; one no
  // card holds any more goes with its attempts. Refused while the plan runs.
  struct Revision {
    std::vector<std::string> changed, added, removed;
    int rerun = 0;  // to run: new ones, and changed ones with their dependents put back to PENDING
  };
  absl::StatusOr<Revision> Revise(common::Plan plan, bool keep_changed);
  absl::Status Drain(const std::string& worker_id);

  // What those who report on the run read (RunReader).
  v1::RunStatus Status() const override;
  v1::ListWorkersResponse Workers() const override;
  bool has_plan() const override { return run_.has_plan(); }
  bool Done() const override { return run_.Done(); }
  const common::Plan* plan() const override { return run_.plan.get(); }
  const PlanRow& plan_row() const override { return run_.row; }
  RunView ViewOf(int index) const override;
  SchedulerCounters counters() const override;
  size_t merge_queue_length() const override { return merge_.length(); }
  Verification verification() const override { return options_.verification; }
  // What the plan's agents spent so far (tokens, turns, cost), summed over every attempt.
  const v1::AgentReport& plan_spent() const { return budget_.spent(); }

 private:
  void Promote(int index);
  void PromoteDependents(int index);
  // A workstream's row before its first attempt, and put back for another run.
  WorkstreamRow InitialRow(const common::Workstream& ws) const;
  void ResetRow(WorkstreamRow& row, const common::Workstream& ws) const;
  // What a rerun puts back (`roots` with everything that depends on them), over `graph`.
  static std::set<int> WithDependents(std::deque<int> roots, const common::PlanGraph& graph);
  // After rows changed wholesale: the halt again from what failed, then readiness, the
  // commit, a dispatch round and the news.
  void AfterRerun();
  void BlockDependents(int index, const std::string& reason);
  void Fail(int index, const std::string& message);
  void Finish(int index, v1::WorkstreamState state, const std::string& message);
  void ScheduleRetry(int index, const std::string& why, bool backoff = true);
  void Revoked(int index, const AttemptRow& attempt);
  void LeaseExpired(WorkerView& worker);
  AttemptRow* Fence(const std::string& worker_id, const v1::Event& event);  // see EventIntake
  // What one stored event changes: the one path for live events and for the events a
  // restarted coordinator replays, in the order they were stored. Endings (`finished`)
  // change the workstream's state in AttemptFinished, live only: recovery has that state
  // from the workstream's row.
  void Apply(const AttemptRow& attempt, const v1::Event& event);
  void AttemptFinished(AttemptRow& attempt, const v1::AttemptFinished& finished);
  void AttemptLost(const std::string& attempt_id, const std::string& reason);
  // One rank of a workstream's current attempt ended; once every rank has, the attempt's
  // outcome decides the workstream's fate (Resolve).
  struct RankEnd {
    enum class Kind { kSucceeded, kFailed, kLost, kCancelled, kHandedBack } kind;
    std::string message;
    bool final = false;  // a failure that retrying cannot mend (a budget stop)
  };
  void RankEnded(const AttemptRow& attempt, const RankEnd& end);
  void Resolve(int index);
  void CancelRanks(int index, const std::string& reason);
  void StopForPlanBudget(const std::string& why);
  // Rendezvous values and merge turns wait until the change behind them is stored;
  // SendRelays sends them.
  void Relay(int index, const std::string& key, const std::string& value);
  void SendMergeTurn(const std::optional<std::string>& granted);
  v1::CoordinatorMessage MergeTurn(const std::string& attempt_id) const;
  void SendRelays();
  std::string MergeState(int index) const;  // see RunView::merge
  void CommitDirty();  // UpdateWorkstreams for state changes not tied to events

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
  SchedulerObserver* observer_ = &no_observer_;
  SchedulerOptions options_;
  RandomSource random_;
  PlanRun run_;
  WorkerRegistry workers_;
  EventIntake intake_;
  PlanBudget budget_;
  MergeQueue merge_;
  Dispatcher dispatcher_;
  std::vector<std::pair<std::string, v1::CoordinatorMessage>> pending_relays_;
  std::vector<std::string> pending_turns_;  // attempts granted the merge turn
  uint64_t hellos_invalid_ = 0;
  uint64_t workers_refused_ = 0;
  uint64_t leases_expired_ = 0;
  common::LogLimiter log_limiter_;  // refused workers, fenced events: a line per key a minute
};

}  // namespace wsfleet::coordinator
