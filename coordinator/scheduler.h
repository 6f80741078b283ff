#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/plan.h"
#include "coordinator/cluster_view.h"
#include "coordinator/event_intake.h"
#include "coordinator/merge_queue.h"
#include "coordinator/placement_policy.h"
#include "coordinator/plan_budget.h"
#include "coordinator/ready_queue.h"
#include "coordinator/run_reader.h"
#include "coordinator/scheduler_observer.h"
#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"
#include "coordinator/worker_registry.h"
#include "coordinator/workstream_facts.h"
#include "wsfleet/v1/control.pb.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

struct SchedulerOptions {
  common::Nanos heartbeat_interval = std::chrono::seconds(2);
  common::Nanos lease = std::chrono::seconds(10);
  int default_lost_retries = 2;    // a lost attempt is retried this often unless Retries says
  int default_failed_retries = 0;  // a failed attempt likewise
  common::Nanos backoff_initial = std::chrono::seconds(1);
  common::Nanos backoff_max = std::chrono::seconds(60);
  double backoff_jitter = 0.2;     // +-20%
  uint64_t random_seed = 0;        // 0: from std::random_device
  int64_t default_step_timeout_seconds = 0;
  // How long a workstream no worker could run may wait for one to join before it fails.
  // (At submit, one that none of the connected workers could run fails at once.)
  common::Nanos infeasible_grace = std::chrono::seconds(30);
  // How long a multi-node card may wait for its N workers to be free at once before it
  // fails with the reason (`waiting: 1 of 2 nodes have 2 free GPUs`).
  common::Nanos gang_timeout = std::chrono::minutes(10);
  // Assignments a busy worker may hold beyond its slots, queued there and started as its
  // slots free, so that short workstreams do not each wait a round trip to the coordinator
  // for the next. Only cards without GPUs, agent or gang are queued, and none while
  // ready work that needs a free slot waits. 0: none.
  uint32_t worker_queue = 1;
  // An attempt queued this long, not started, while another worker could run it now is
  // taken back (revoked) and placed again: none waits long behind a slow workstream.
  common::Nanos revoke_after = std::chrono::seconds(1);
  // What all of a plan's agents may spend (tokens, turns, dollars; its time is ignored):
  // past it, running agents are stopped and nothing more starts.
  std::optional<common::Workstream::Budget> plan_budget;
  // Merges also mark the card Completed and commit its summary beside it.
  bool write_back = false;
  // Shown in status so users find them: the state directory (absolute) and the metrics
  // endpoint.
  std::string state_dir;
  // Set by `wsfleet run`, which gives its workers the same: a worker whose Hello carries it
  // shares this machine and appends its attempts' output to their logs in state_dir
  // itself (see worker/local_log.h). Empty: every worker sends its output.
  std::string local_log_token;
  std::string metrics_url;
};

// The coordinator's scheduling state machine. Events in (plan submitted, worker hello,
// heartbeat, events, lease expiry, cancel, retry, drain); commands out (Assign, Cancel,
// Ack, Reject, Drain) through SchedulerOutput; every durable change through StateStore
// before anything that depends on it is sent. One thread (the loop's) calls everything.
class Scheduler : public RunReader {
 public:
  Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
            const PlacementPolicy& placement, SchedulerOptions options);
  ~Scheduler();

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
  absl::StatusOr<SubmitResult> SubmitParsed(common::Plan plan, const std::string& name, bool keep_going);
  // The same from the files' text (parsed here, on the loop: tests).
  absl::StatusOr<SubmitResult> Submit(const std::vector<common::SourceFile>& files,
                                      const std::string& name, bool keep_going);

  void OnWorkerHello(const v1::Hello& hello);
  void OnHeartbeat(const std::string& worker_id, const v1::Heartbeat& heartbeat);
  void OnWorkerDisconnected(const std::string& worker_id);
  // A session refused before it joined (a wrong token): logged, rate-limited per worker ID.
  void OnWorkerRefused(const std::string& worker_id, const std::string& reason);
  // Queues events; FlushEvents() stores everything queued in one transaction, then acks.
  void OnEvents(const std::string& worker_id, v1::EventBatch batch);
  void FlushEvents();

  int Cancel(const std::string& workstream_id, bool all, std::string* error);
  absl::Status Retry(const std::string& workstream_id);
  absl::Status Drain(const std::string& worker_id);

  // What those who report on the run read (RunReader).
  v1::RunStatus Status() const override;
  v1::ListWorkersResponse Workers() const override;
  bool has_plan() const override { return plan_ != nullptr; }
  bool Done() const override;
  const common::Plan* plan() const override { return plan_.get(); }
  const PlanRow& plan_row() const override { return plan_row_; }
  RunView ViewOf(int index) const override;
  SchedulerCounters counters() const override;
  size_t merge_queue_length() const override { return merge_.length(); }
  // What the plan's agents spent so far (tokens, turns, cost), summed over every attempt.
  const v1::AgentReport& plan_spent() const { return budget_.spent(); }

 private:
  struct Run;  // per workstream, parallel to plan_->workstreams
  void Adopt(std::unique_ptr<common::Plan> plan, PlanRow row);
  void Promote(int index);
  void PromoteDependents(int index);
  void BlockDependents(int index, const std::string& reason);
  void Fail(int index, const std::string& message);
  void Finish(int index, v1::WorkstreamState state, const std::string& message);
  void ScheduleRetry(int index, const std::string& why);
  void Dispatch();       // a dispatch round, its commit, its Assigns
  void DispatchRound();  // places ready work; Assigns wait in pending_assigns_
  bool TryAssign(int index, bool may_queue);
  bool Queueable(int index) const;
  // Takes back queued attempts that another worker, free now, could run (revoke_after).
  void RevokeQueued(common::SteadyTime now, std::optional<common::SteadyTime>& earliest);
  void Unqueue(int index);
  void RevokeAllQueued();
  void SendRevoke(int index);
  void Revoked(int index, const AttemptRow& attempt);
  // What a retry's agent hears of the attempt before it: its session and its failure.
  struct RetryContext {
    std::string resume_session;
    std::string previous_failure;
  };
  void QueueAssign(int index, const AttemptRow& attempt, const std::vector<std::string>& node_addrs,
                   const RetryContext& retry);
  RetryContext RetryContextOf(int index) const;
  std::string GangWaiting(int index) const;
  void SendAssigns();  // commits this round's attempts in one transaction, then sends
  std::optional<std::string> Infeasible(int index) const;
  void LeaseExpired(WorkerView& worker);
  AttemptRow* Fence(const std::string& worker_id, const v1::Event& event);  // see EventIntake
  void AttemptLost(const std::string& attempt_id, const std::string& reason);
  // One rank of a workstream's current attempt ended; once every rank has, the attempt's
  // outcome decides the workstream's fate (Resolve).
  struct RankEnd {
    enum class Kind { kSucceeded, kFailed, kLost, kCancelled } kind;
    std::string message;
    bool final = false;  // a failure that retrying cannot mend (a budget stop)
  };
  void RankEnded(const AttemptRow& attempt, const RankEnd& end);
  void Resolve(int index);
  void CancelRanks(int index, const std::string& reason);
  void Relay(int index, const std::string& key, const std::string& value);
  std::string MergeState(int index) const;  // see RunView::merge
  // The workstream's summary as it reads now, for dependents' prompts and (as it will read
  // once merged) for --write-back.
  std::string SummaryOf(int index, bool as_succeeded) const;
  int IndexOf(const AttemptRow& attempt) const;
  void StopForPlanBudget(const std::string& why);
  // Queues the merge turn for `granted` (MergeQueue's answer), if one was.
  void SendMergeTurn(const std::optional<std::string>& granted);
  void SendRelays();  // what GrantMerge and Relay queued, once the change behind it is stored
  bool IsCurrent(const AttemptRow& attempt) const;
  // What one stored event changes: the one path for live events and for the events a
  // restarted coordinator replays from the store, in the order they were stored. Endings
  // (`finished`) change the workstream's state in AttemptFinished, live only: recovery has
  // that state from the workstream's row.
  void Apply(const AttemptRow& attempt, const v1::Event& event);
  void AttemptFinished(AttemptRow& attempt, const v1::AttemptFinished& finished);
  void CommitDirty();  // UpdateWorkstreams for state changes not tied to events
  void MarkDirty(int index);
  // The rows changed since the last commit, for the next named operation to store.
  std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> TakeDirty();
  common::Nanos Backoff(int attempt_number);
  std::string NewId(const std::string& prefix);
  ReadyQueue::Key KeyOf(int index) const;
  [[noreturn]] void StoreFailed(const absl::Status& status);

  common::Clock& clock_;
  StateStore& store_;
  SchedulerOutput& output_;
  SchedulerObserver no_observer_;
  SchedulerObserver* observer_ = &no_observer_;
  const PlacementPolicy& placement_;
  SchedulerOptions options_;
  std::mt19937_64 random_;

  std::unique_ptr<common::Plan> plan_;
  PlanRow plan_row_;
  std::vector<Run> runs_;
  std::unordered_map<std::string, AttemptRow> attempts_;
  ReadyQueue ready_;
  WorkerRegistry workers_;
  ClusterView& cluster_;  // the registry's
  bool halted_ = false;  // a failure without keep_going: nothing new starts
  std::set<int> dirty_;
  std::set<int> queued_;  // workstreams whose attempt waits in its worker's queue
  std::set<std::string> dirty_attempts_;
  EventIntake intake_;
  // Assigns of the current dispatch round: sent once their attempts are committed.
  std::vector<std::pair<std::string, v1::CoordinatorMessage>> pending_assigns_;
  std::vector<std::string> pending_attempts_;
  // Rendezvous values stored in this batch: relayed to the gangs' workers once committed.
  std::vector<std::pair<std::string, v1::CoordinatorMessage>> pending_relays_;
  PlanBudget budget_;
  MergeQueue merge_;
  common::TimerId dispatch_timer_ = 0;
  SchedulerCounters counters_;
  common::LogLimiter log_limiter_;  // refused workers, fenced events: a line per key a minute
};

}  // namespace wsfleet::coordinator
