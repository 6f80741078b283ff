#include "coordinator/scheduler.h"

#include "absl/strings/escaping.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "common/plan_loader.h"
#include "coordinator/plan_codec.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {

namespace {

int64_t WallMillis(const common::Clock& clock) { return common::ToUnixMillis(clock.WallNow()); }

}  // namespace

Scheduler::Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
                     const PlacementPolicy& placement, SchedulerOptions options)
    : clock_(clock),
      store_(store),
      held_output_(output, store),
      output_(held_output_),
      options_(std::move(options)),
      random_(options_.random_seed),
      workers_(clock, options_.lease, [this](WorkerView& worker) { LeaseExpired(worker); }),
      intake_([this](const std::string& worker, const v1::Event& event) { return Fence(worker, event); }),
      budget_(options_.plan_budget),
      merge_([this](const std::string& a, const std::string& b) {
        return run_.KeyOf(run_.IndexOf(run_.attempts.at(a))) < run_.KeyOf(run_.IndexOf(run_.attempts.at(b)));
      }),
      dispatcher_(clock, store, output_, placement, workers_.cluster(), options_, run_, random_, *this,
                  [this](int index, const std::string& message) { Fail(index, message); }),
      log_limiter_(clock, std::chrono::minutes(1)) {}

Scheduler::~Scheduler() {
  // The timer must not outlive the scheduler its callback points into.
  if (store_retry_timer_ != 0) clock_.CancelTimer(store_retry_timer_);
}

void Scheduler::CommitDirty() {
  if (run_.CommitDirty(store_)) output_.StatusChanged(*this);
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::Submit(
    const std::vector<common::SourceFile>& files, const std::string& name, bool keep_going) {
  return SubmitParsed(common::AssemblePlan(files), name, keep_going);
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::SubmitParsed(common::Plan parsed, const std::string& name,
                                                          bool keep_going, std::string encoded) {
  if (run_.has_plan() && !Done()) {
    return absl::FailedPreconditionError("plan " + run_.row.plan_id +
                                         " is still running; cancel it first");
  }
  auto plan = std::make_unique<common::Plan>(std::move(parsed));
  SubmitResult result;
  result.diagnostics = plan->diagnostics;
  if (!plan->ok()) return result;
  if (plan->workstreams.empty()) {
    return absl::InvalidArgumentError("the plan holds no workstream cards");
  }
  // What is stored is what was parsed: the texts, and the workstreams recovery rebuilds
  // the plan from without parsing them again.
  PlanRow row{random_.NewId(name.empty() ? "plan" : name), name, keep_going, WallMillis(clock_), plan->sources,
              encoded.empty() ? EncodeWorkstreams(plan->workstreams) : std::move(encoded)};
  std::vector<WorkstreamRow> rows;
  for (const common::Workstream& ws : plan->workstreams) rows.push_back(InitialRow(ws));
  if (absl::Status status = store_.SubmitPlan(row, rows); !status.ok()) return status;
  result.plan_id = row.plan_id;
  budget_.Reset();
  merge_.Clear();
  observer_->PlanSubmitted();
  run_.Adopt(std::move(plan), std::move(row));
  for (size_t i = 0; i < run_.runs.size(); ++i) run_.runs[i].row = rows[i];
  run_.Recount();
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    if (rows[i].state == v1::WORKSTREAM_STATE_SKIPPED) output_.WorkstreamEnded(*this, static_cast<int>(i));
  }
  for (size_t i = 0; i < run_.runs.size(); ++i) Promote(static_cast<int>(i));
  // What none of the workers already connected could run fails now, with the reason.
  bool fleet_known = workers_.AnyAlive();
  for (size_t i = 0; i < run_.runs.size() && fleet_known; ++i) {
    v1::WorkstreamState state = run_.runs[i].row.state;
    if (state != v1::WORKSTREAM_STATE_READY && state != v1::WORKSTREAM_STATE_PENDING) continue;
    if (std::optional<std::string> infeasible = dispatcher_.Infeasible(static_cast<int>(i))) {
      Fail(static_cast<int>(i), "cannot be placed: " + *infeasible);
    }
  }
  CommitDirty();
  dispatcher_.Dispatch();
  output_.StatusChanged(*this);
  return result;
}

WorkstreamRow Scheduler::InitialRow(const common::Workstream& ws) const {
  WorkstreamRow initial;
  initial.workstream_id = ws.id.ToString();
  initial.state = ws.completed() ? v1::WORKSTREAM_STATE_SKIPPED : v1::WORKSTREAM_STATE_PENDING;
  initial.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  initial.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
  if (ws.completed()) initial.message = "card says " + ws.status_text;
  return initial;
}

void Scheduler::ResetRow(WorkstreamRow& row, const common::Workstream& ws) const {
  row.state = v1::WORKSTREAM_STATE_PENDING;
  row.message.clear();
  row.finished_unix_ms = 0;
  row.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  row.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
}

absl::Status Scheduler::Recover() {
  absl::StatusOr<StoredState> stored = store_.Load();
  if (!stored.ok()) return stored.status();
  if (!stored->has_plan) return absl::OkStatus();
  std::unique_ptr<common::Plan> plan;
  if (!stored->plan.parsed.empty()) {
    absl::StatusOr<std::vector<common::Workstream>> workstreams = DecodeWorkstreams(stored->plan.parsed);
    if (workstreams.ok()) {
      plan = std::make_unique<common::Plan>(common::AssembleParsed(std::move(*workstreams), stored->plan.files));
    } else {
      spdlog::warn("{}: parsing the stored cards again", std::string(workstreams.status().message()));
    }
  }
  if (plan == nullptr) plan = std::make_unique<common::Plan>(common::AssemblePlan(stored->plan.files));
  if (!plan->ok()) return absl::DataLossError("the stored plan no longer validates");
  run_.Adopt(std::move(plan), stored->plan);
  std::map<std::string, WorkstreamRow> rows;
  for (WorkstreamRow& row : stored->workstreams) rows[row.workstream_id] = std::move(row);
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    std::string id = run_.plan->workstreams[i].id.ToString();
    auto found = rows.find(id);
    if (found != rows.end()) {
      run_.runs[i].row = found->second;
    } else {
      run_.runs[i].row.workstream_id = id;
    }
  }
  run_.Recount();
  std::sort(stored->attempts.begin(), stored->attempts.end(),
            [](const AttemptRow& a, const AttemptRow& b) {
              return std::tie(a.number, a.rank) < std::tie(b.number, b.rank);
            });
  for (AttemptRow& attempt : stored->attempts) {
    std::optional<int> index = run_.plan->IndexOf(attempt.workstream_id);
    if (!index) continue;  // cannot happen: the stored plan is the one its attempts ran
    WorkstreamRun& run = run_.runs[*index];
    // One revoked never ran: it is not among the workstream's attempts.
    if (attempt.outcome != v1::ATTEMPT_OUTCOME_REVOKED) run.attempt_ids.push_back(attempt.attempt_id);
    if (attempt.GangId() == run.row.current_attempt) run.gang.push_back(attempt.attempt_id);
    run_.attempts[attempt.attempt_id] = std::move(attempt);
  }
  // Rebuild what only lived in memory by applying the stored events again, in the order
  // they were stored, through the path live events took.
  for (const v1::Event& event : stored->events) {
    auto attempt = run_.attempts.find(event.attempt_id());
    if (attempt != run_.attempts.end()) Apply(attempt->second, event);
  }
  // Attempts lost with their worker left no `finished` event: their merge turns pass on.
  for (const auto& [id, attempt] : run_.attempts) {
    if (attempt.finished) merge_.End(id);
  }
  // Workers are told what they missed (rendezvous values, merge turns) when they return.
  pending_relays_.clear();
  pending_turns_.clear();
  std::vector<int> all_ranks_ended;
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    WorkstreamRun& run = run_.runs[i];
    int index = static_cast<int>(i);
    switch (run.row.state) {
      case v1::WORKSTREAM_STATE_READY:
        run_.ready.Add(run_.KeyOf(index));
        break;
      case v1::WORKSTREAM_STATE_ASSIGNED:
      case v1::WORKSTREAM_STATE_RUNNING: {
        // Each rank's worker gets one lease to come back and report it; else it is lost.
        // A rank that already ended without success ends the gang (its workers are told
        // when they come back).
        bool running = false;
        for (const std::string& id : run.gang) {
          const AttemptRow& attempt = run_.attempts.at(id);
          if (attempt.finished) {
            if (attempt.outcome != v1::ATTEMPT_OUTCOME_SUCCEEDED && !run.gang_break) {
              run.gang_break = WorkstreamRun::Break{attempt.outcome == v1::ATTEMPT_OUTCOME_LOST, false,
                                          "rank " + std::to_string(attempt.rank) + " on " +
                                              attempt.worker_id + " ended " +
                                              rpc::OutcomeLabel(attempt.outcome),
                                          attempt.outcome == v1::ATTEMPT_OUTCOME_HANDED_BACK};
            }
            continue;
          }
          running = true;
          workers_.Expect(attempt.worker_id);
          workers_.cluster().Reserve(attempt.worker_id, attempt.gpus, attempt.attempt_id);
        }
        if (!running) all_ranks_ended.push_back(index);
        break;
      }
      case v1::WORKSTREAM_STATE_FAILED:
        if (!run_.row.keep_going) run_.halted = true;
        break;
      default:
        break;
    }
  }
  for (int index : all_ranks_ended) Resolve(index);
  for (size_t i = 0; i < run_.runs.size(); ++i) Promote(static_cast<int>(i));
  CommitDirty();
  return absl::OkStatus();
}

void Scheduler::Promote(int index) {
  WorkstreamRun& run = run_.runs[index];
  if (run.row.state != v1::WORKSTREAM_STATE_PENDING) return;
  for (int dependency : run_.plan->graph.dependencies[index]) {
    v1::WorkstreamState state = run_.runs[dependency].row.state;
    if (state == v1::WORKSTREAM_STATE_FAILED || state == v1::WORKSTREAM_STATE_CANCELLED ||
        state == v1::WORKSTREAM_STATE_BLOCKED) {
      BlockDependents(dependency, run_.plan->workstreams[dependency].id.ToString() + " " +
                                      (state == v1::WORKSTREAM_STATE_BLOCKED ? "is blocked" : "did not succeed"));
      return;
    }
    if (state != v1::WORKSTREAM_STATE_SUCCEEDED && state != v1::WORKSTREAM_STATE_SKIPPED) {
      return;
    }
  }
  run_.MakeReady(index, clock_.Now());
}

void Scheduler::PromoteDependents(int index) {
  for (int dependent : run_.plan->graph.dependents[index]) Promote(dependent);
}

void Scheduler::OnWorkerHello(const v1::Hello& hello) {
  // Only a worker given the coordinator's log token shares its machine and state directory.
  bool writes_logs = !options_.local_log_token.empty() && !options_.state_dir.empty() &&
                     hello.log_token() == options_.local_log_token;
  WorkerView& worker = workers_.Join(hello, writes_logs);

  v1::CoordinatorMessage message;
  v1::Welcome& welcome = *message.mutable_welcome();
  welcome.set_heartbeat_interval_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.heartbeat_interval).count());
  welcome.set_lease_ms(std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease).count());
  std::set<std::string> reported;
  std::vector<v1::CoordinatorMessage> after_welcome;
  for (const v1::RunningAttempt& running : hello.attempts()) {
    reported.insert(running.attempt_id());
    auto found = run_.attempts.find(running.attempt_id());
    bool current = found != run_.attempts.end() && !found->second.finished &&
                   found->second.worker_id == worker.id && run_.IsCurrent(found->second);
    if (current) {
      welcome.add_adopted_attempt_ids(running.attempt_id());
      workers_.cluster().Reserve(worker.id, found->second.gpus, running.attempt_id());
      // What its gang put while it was away; and, if another rank ended the gang, its end.
      WorkstreamRun& run = run_.runs[run_.IndexOf(found->second)];
      if (running.queued() && !run.queued_since && run.gang.size() == 1) {
        // Still in its queue (a coordinator that restarted did not know): revocable again.
        run.queued_since = clock_.Now();
        run_.queued.insert(run_.IndexOf(found->second));
      }
      for (const auto& [key, value] : run.facts.rendezvous) {
        v1::CoordinatorMessage relay;
        relay.mutable_rendezvous()->set_attempt_id(running.attempt_id());
        relay.mutable_rendezvous()->set_key(key);
        relay.mutable_rendezvous()->set_value(value);
        after_welcome.push_back(std::move(relay));
      }
      if (running.attempt_id() == merge_.holder()) {
        // Its turn was granted while it was away (or lost with the coordinator): again.
        after_welcome.push_back(MergeTurn(merge_.holder()));
      }
      if (run.gang_break || run.cancel_requested) {
        v1::CoordinatorMessage cancel;
        cancel.mutable_cancel()->set_attempt_id(running.attempt_id());
        cancel.mutable_cancel()->set_reason(run.gang_break ? run.gang_break->message
                                                           : "cancelled by user");
        after_welcome.push_back(std::move(cancel));
      }
    } else {
      welcome.add_cancelled_attempt_ids(running.attempt_id());
    }
  }
  // Attempts placed here that the worker no longer knows: it restarted and lost them.
  std::vector<std::string> forgotten;
  for (const std::string& attempt : worker.attempts) {
    if (!reported.count(attempt)) forgotten.push_back(attempt);
  }
  output_.Send(worker.id, message);
  for (const v1::CoordinatorMessage& next : after_welcome) output_.Send(worker.id, next);
  for (const std::string& attempt : forgotten) {
    AttemptLost(attempt, "worker " + worker.id + " restarted without it");
  }
  if (absl::Status status = store_.RecordWorker({worker.id, worker.hostname, "connected",
                                                 worker.last_heartbeat_unix_ms});
      !status.ok()) {
    StoreFailed(status);
  }
  CommitDirty();
  SendRelays();
  dispatcher_.Dispatch();
  output_.StatusChanged(*this);
}

void Scheduler::OnHeartbeat(const std::string& worker_id, const v1::Heartbeat& heartbeat) {
  v1::CoordinatorMessage reply;
  if (workers_.Alive(worker_id, /*heartbeat=*/true)) {
    // The worker's steps may run a lease from when it sent this; past that, it stops them.
    reply.mutable_lease()->set_heartbeat_sent_ms(heartbeat.sent_ms());
    reply.mutable_lease()->set_lease_ms(std::chrono::duration_cast<std::chrono::milliseconds>(workers_.lease()).count());
  } else {
    // Declared lost while its session stayed open: not ignored, told. Its Hello will
    // take it back; its attempts are already running elsewhere.
    reply.mutable_rejoin()->set_reason("declared lost: no heartbeat within its lease");
  }
  output_.Send(worker_id, reply);
}

void Scheduler::OnWorkerDisconnected(const std::string& worker_id) {
  workers_.Disconnected(worker_id);
  output_.StatusChanged(*this);
}

void Scheduler::OnWorkerLeaving(const std::string& worker_id, const std::string& reason) {
  if (!workers_.Drain(worker_id).ok()) return;
  spdlog::info("worker {} is leaving ({}): nothing more is placed on it", worker_id,
               reason.empty() ? "no reason given" : absl::CHexEscape(reason));
  output_.StatusChanged(*this);
}

void Scheduler::OnWorkerRefused(const std::string& worker_id, const std::string& reason) {
  ++workers_refused_;
  uint64_t held = 0;
  if (log_limiter_.Allow("refused " + worker_id, &held)) {
    spdlog::warn("refused worker '{}': {}{}", worker_id, reason,
                 held > 0 ? " (" + std::to_string(held) + " more refusals since the last line)" : "");
  }
}

void Scheduler::OnInvalidHello(const std::string& reason) {
  ++hellos_invalid_;
  uint64_t held = 0;
  if (log_limiter_.Allow("invalid hello", &held)) {
    spdlog::warn("refused a Hello: {}{}", reason,
                 held > 0 ? " (" + std::to_string(held) + " more since the last line)" : "");
  }
}

void Scheduler::LeaseExpired(WorkerView& worker) {
  ++leases_expired_;
  spdlog::warn("worker {} missed its lease; its {} attempt(s) are lost", worker.id, worker.attempts.size());
  std::vector<std::string> attempts(worker.attempts.begin(), worker.attempts.end());
  for (const std::string& attempt : attempts) {
    AttemptLost(attempt, "worker " + worker.id + " missed its lease");
  }
  auto [rows, attempt_rows] = run_.TakeDirty();
  if (absl::Status status = store_.MarkWorkerLost(
          {worker.id, worker.hostname, "lost", worker.last_heartbeat_unix_ms}, attempt_rows, rows);
      !status.ok()) {
    StoreFailed(status);
  }
  SendRelays();  // a merge turn the lost attempt held goes to the next
  dispatcher_.Dispatch();
  output_.StatusChanged(*this);
}

}  // namespace wsfleet::coordinator
