#include "coordinator/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "common/plan_loader.h"
#include "coordinator/attempt_spec.h"
#include "coordinator/prompt.h"
#include "coordinator/scheduler_run.h"
#include "coordinator/state_paths.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {

bool Ended(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_FAILED ||
         state == v1::WORKSTREAM_STATE_CANCELLED || state == v1::WORKSTREAM_STATE_BLOCKED ||
         state == v1::WORKSTREAM_STATE_SKIPPED;
}

namespace {

int64_t WallMillis(const common::Clock& clock) { return common::ToUnixMillis(clock.WallNow()); }

}  // namespace

Scheduler::Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
                     const PlacementPolicy& placement, SchedulerOptions options)
    : clock_(clock),
      store_(store),
      output_(output),
      placement_(placement),
      options_(options),
      random_(options.random_seed != 0 ? options.random_seed : std::random_device{}()),
      workers_(clock, options.lease, [this](WorkerView& worker) { LeaseExpired(worker); }),
      cluster_(workers_.cluster()),
      intake_([this](const std::string& worker, const v1::Event& event) { return Fence(worker, event); }),
      budget_(options.plan_budget),
      merge_([this](const std::string& a, const std::string& b) {
        return KeyOf(IndexOf(attempts_.at(a))) < KeyOf(IndexOf(attempts_.at(b)));
      }),
      log_limiter_(clock, std::chrono::minutes(1)) {}

Scheduler::~Scheduler() {
  // Timers must not outlive the scheduler their callbacks point into.
  if (dispatch_timer_ != 0) clock_.CancelTimer(dispatch_timer_);
}

void Scheduler::StoreFailed(const absl::Status& status) {
  // Acknowledged means stored: with the store failing, the safe course is to stop and let
  // the restarted coordinator recover from what was committed.
  spdlog::critical("state store failed, stopping: {}", status.ToString());
  spdlog::default_logger()->flush();
  std::abort();
}

std::string Scheduler::NewId(const std::string& prefix) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random_() & 0xffffffffu));
  return prefix + "-" + suffix;
}

common::Nanos Scheduler::Backoff(int attempt_number) {
  double base = static_cast<double>(options_.backoff_initial.count());
  for (int i = 1; i < attempt_number && base < static_cast<double>(options_.backoff_max.count()); ++i) {
    base *= 2;
  }
  base = std::min(base, static_cast<double>(options_.backoff_max.count()));
  std::uniform_real_distribution<double> jitter(1 - options_.backoff_jitter,
                                                1 + options_.backoff_jitter);
  return common::Nanos(static_cast<int64_t>(base * jitter(random_)));
}

ReadyQueue::Key Scheduler::KeyOf(int index) const {
  const common::Workstream& ws = plan_->workstreams[index];
  double remaining = plan_->analysis.acyclic ? plan_->analysis.remaining_days_max[index] : 0;
  return {ws.priority.value_or(10), remaining, ws.id.number(), index};
}

void Scheduler::MarkDirty(int index) { dirty_.insert(index); }

std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> Scheduler::TakeDirty() {
  std::vector<WorkstreamRow> rows;
  for (int index : dirty_) rows.push_back(runs_[index].row);
  std::vector<AttemptRow> attempts;
  for (const std::string& id : dirty_attempts_) attempts.push_back(attempts_.at(id));
  dirty_.clear();
  dirty_attempts_.clear();
  return {std::move(rows), std::move(attempts)};
}

void Scheduler::CommitDirty() {
  if (dirty_.empty() && dirty_attempts_.empty()) return;
  auto [rows, attempts] = TakeDirty();
  if (absl::Status status = store_.UpdateWorkstreams(rows, attempts); !status.ok()) {
    StoreFailed(status);
  }
  output_.StatusChanged();
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::Submit(
    const std::vector<common::SourceFile>& files, const std::string& name, bool keep_going) {
  return SubmitParsed(common::AssemblePlan(files), name, keep_going);
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::SubmitParsed(common::Plan parsed, const std::string& name,
                                                          bool keep_going) {
  if (plan_ != nullptr && !Done()) {
    return absl::FailedPreconditionError("plan " + plan_row_.plan_id +
                                         " is still running; cancel it first");
  }
  auto plan = std::make_unique<common::Plan>(std::move(parsed));
  SubmitResult result;
  result.diagnostics = plan->diagnostics;
  if (!plan->ok()) return result;
  if (plan->workstreams.empty()) {
    return absl::InvalidArgumentError("the plan holds no workstream cards");
  }
  // What is stored is what was parsed: recovery parses exactly these texts again.
  PlanRow row{NewId(name.empty() ? "plan" : name), name, keep_going, WallMillis(clock_), plan->sources};
  std::vector<WorkstreamRow> rows;
  for (const common::Workstream& ws : plan->workstreams) {
    WorkstreamRow initial;
    initial.workstream_id = ws.id.ToString();
    initial.state = ws.completed() ? v1::WORKSTREAM_STATE_SKIPPED : v1::WORKSTREAM_STATE_PENDING;
    initial.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
    initial.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
    if (ws.completed()) initial.message = "card says " + ws.status_text;
    rows.push_back(initial);
  }
  if (absl::Status status = store_.SubmitPlan(row, rows); !status.ok()) return status;
  result.plan_id = row.plan_id;
  runs_.clear();
  attempts_.clear();
  ready_ = ReadyQueue();
  halted_ = false;
  budget_.Reset();
  merge_.Clear();
  observer_->PlanSubmitted();
  Adopt(std::move(plan), std::move(row));
  for (size_t i = 0; i < runs_.size(); ++i) {
    runs_[i].row = rows[i];
    if (rows[i].state == v1::WORKSTREAM_STATE_SKIPPED) output_.WorkstreamEnded(static_cast<int>(i));
  }
  for (size_t i = 0; i < runs_.size(); ++i) Promote(static_cast<int>(i));
  // What none of the workers already connected could run fails now, with the reason.
  bool fleet_known = workers_.AnyAlive();
  for (size_t i = 0; i < runs_.size() && fleet_known; ++i) {
    v1::WorkstreamState state = runs_[i].row.state;
    if (state != v1::WORKSTREAM_STATE_READY && state != v1::WORKSTREAM_STATE_PENDING) continue;
    if (std::optional<std::string> infeasible = Infeasible(static_cast<int>(i))) {
      Fail(static_cast<int>(i), "cannot be placed: " + *infeasible);
    }
  }
  CommitDirty();
  Dispatch();
  output_.StatusChanged();
  return result;
}

void Scheduler::Adopt(std::unique_ptr<common::Plan> plan, PlanRow row) {
  plan_ = std::move(plan);
  plan_row_ = std::move(row);
  runs_.assign(plan_->workstreams.size(), Run{});
}

absl::Status Scheduler::Recover() {
  absl::StatusOr<StoredState> stored = store_.Load();
  if (!stored.ok()) return stored.status();
  if (!stored->has_plan) return absl::OkStatus();
  auto plan = std::make_unique<common::Plan>(common::AssemblePlan(stored->plan.files));
  if (!plan->ok()) return absl::DataLossError("the stored plan no longer validates");
  Adopt(std::move(plan), stored->plan);
  std::map<std::string, WorkstreamRow> rows;
  for (WorkstreamRow& row : stored->workstreams) rows[row.workstream_id] = std::move(row);
  for (size_t i = 0; i < runs_.size(); ++i) {
    std::string id = plan_->workstreams[i].id.ToString();
    auto found = rows.find(id);
    if (found != rows.end()) {
      runs_[i].row = found->second;
    } else {
      runs_[i].row.workstream_id = id;
    }
  }
  std::sort(stored->attempts.begin(), stored->attempts.end(),
            [](const AttemptRow& a, const AttemptRow& b) {
              return std::tie(a.number, a.rank) < std::tie(b.number, b.rank);
            });
  for (AttemptRow& attempt : stored->attempts) {
    std::optional<int> index = plan_->IndexOf(attempt.workstream_id);
    if (!index) continue;  // cannot happen: the stored plan is the one its attempts ran
    Run& run = runs_[*index];
    // One revoked never ran: it is not among the workstream's attempts.
    if (attempt.outcome != v1::ATTEMPT_OUTCOME_REVOKED) run.attempt_ids.push_back(attempt.attempt_id);
    if (attempt.GangId() == run.row.current_attempt) run.gang.push_back(attempt.attempt_id);
    attempts_[attempt.attempt_id] = std::move(attempt);
  }
  // Rebuild what only lived in memory by applying the stored events again, in the order
  // they were stored, through the path live events took.
  for (const v1::Event& event : stored->events) {
    auto attempt = attempts_.find(event.attempt_id());
    if (attempt != attempts_.end()) Apply(attempt->second, event);
  }
  // Attempts lost with their worker left no `finished` event: their merge turns pass on.
  for (const auto& [id, attempt] : attempts_) {
    if (attempt.finished) merge_.End(id);
  }
  // Workers are told what they missed (rendezvous values, merge turns) when they return.
  pending_relays_.clear();
  std::vector<int> all_ranks_ended;
  for (size_t i = 0; i < runs_.size(); ++i) {
    Run& run = runs_[i];
    int index = static_cast<int>(i);
    switch (run.row.state) {
      case v1::WORKSTREAM_STATE_READY:
        ready_.Add(KeyOf(index));
        break;
      case v1::WORKSTREAM_STATE_ASSIGNED:
      case v1::WORKSTREAM_STATE_RUNNING: {
        // Each rank's worker gets one lease to come back and report it; else it is lost.
        // A rank that already ended without success ends the gang (its workers are told
        // when they come back).
        bool running = false;
        for (const std::string& id : run.gang) {
          const AttemptRow& attempt = attempts_.at(id);
          if (attempt.finished) {
            if (attempt.outcome != v1::ATTEMPT_OUTCOME_SUCCEEDED && !run.gang_break) {
              run.gang_break = Run::Break{attempt.outcome == v1::ATTEMPT_OUTCOME_LOST, false,
                                          "rank " + std::to_string(attempt.rank) + " on " +
                                              attempt.worker_id + " ended " +
                                              rpc::OutcomeLabel(attempt.outcome)};
            }
            continue;
          }
          running = true;
          workers_.Expect(attempt.worker_id);
          cluster_.Reserve(attempt.worker_id, attempt.gpus, attempt.attempt_id);
        }
        if (!running) all_ranks_ended.push_back(index);
        break;
      }
      case v1::WORKSTREAM_STATE_FAILED:
        if (!plan_row_.keep_going) halted_ = true;
        break;
      default:
        break;
    }
  }
  for (int index : all_ranks_ended) Resolve(index);
  for (size_t i = 0; i < runs_.size(); ++i) Promote(static_cast<int>(i));
  CommitDirty();
  return absl::OkStatus();
}

void Scheduler::Promote(int index) {
  Run& run = runs_[index];
  if (run.row.state != v1::WORKSTREAM_STATE_PENDING) return;
  for (int dependency : plan_->graph.dependencies[index]) {
    v1::WorkstreamState state = runs_[dependency].row.state;
    if (state == v1::WORKSTREAM_STATE_FAILED || state == v1::WORKSTREAM_STATE_CANCELLED ||
        state == v1::WORKSTREAM_STATE_BLOCKED) {
      BlockDependents(dependency, plan_->workstreams[dependency].id.ToString() + " " +
                                      (state == v1::WORKSTREAM_STATE_BLOCKED ? "is blocked" : "did not succeed"));
      return;
    }
    if (state != v1::WORKSTREAM_STATE_SUCCEEDED && state != v1::WORKSTREAM_STATE_SKIPPED) {
      return;
    }
  }
  run.row.state = v1::WORKSTREAM_STATE_READY;
  run.not_before = clock_.Now();
  ready_.Add(KeyOf(index));
  MarkDirty(index);
}

void Scheduler::PromoteDependents(int index) {
  for (int dependent : plan_->graph.dependents[index]) Promote(dependent);
}

void Scheduler::Dispatch() {
  DispatchRound();
  SendAssigns();
  CommitDirty();
}

void Scheduler::DispatchRound() {
  if (plan_ == nullptr || halted_) return;
  common::SteadyTime now = clock_.Now();
  std::optional<common::SteadyTime> earliest;
  // Queueing on busy workers stops once ready work that needs a free slot is left waiting:
  // a worker starts what it holds queued before anything the coordinator sends later.
  bool may_queue = options_.worker_queue > 0;
  for (int index : ready_.InOrder()) {
    Run& run = runs_[index];
    if (run.not_before > now) {
      earliest = earliest ? std::min(*earliest, run.not_before) : run.not_before;
      continue;
    }
    if (std::optional<std::string> infeasible = Infeasible(index)) {
      if (!run.infeasible_since) run.infeasible_since = now;
      common::SteadyTime deadline = *run.infeasible_since + options_.infeasible_grace;
      if (now >= deadline) {
        Fail(index, "cannot be placed: " + *infeasible);
      } else {
        run.waiting = "no worker can run it yet: " + *infeasible;
        earliest = earliest ? std::min(*earliest, deadline) : deadline;
      }
      continue;
    }
    run.infeasible_since.reset();
    bool queueable = Queueable(index);
    if (TryAssign(index, may_queue && queueable)) continue;
    if (!queueable) may_queue = false;
    if (plan_->workstreams[index].nodes > 1) {
      if (!run.gang_waiting_since) run.gang_waiting_since = now;
      common::SteadyTime deadline = *run.gang_waiting_since + options_.gang_timeout;
      if (now >= deadline) {
        Fail(index, "not placed within the gang timeout (" +
                        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                           options_.gang_timeout).count()) +
                        " s): " + GangWaiting(index));
      } else {
        run.waiting = GangWaiting(index);
        earliest = earliest ? std::min(*earliest, deadline) : deadline;
      }
    } else {
      run.waiting = cluster_.workers().empty() ? "waiting for a worker to join"
                                               : "waiting for a free worker";
    }
  }
  RevokeQueued(now, earliest);
  if (dispatch_timer_ != 0) clock_.CancelTimer(dispatch_timer_);
  dispatch_timer_ = 0;
  if (earliest) {
    dispatch_timer_ = clock_.RunAfter(*earliest - now, [this] {
      dispatch_timer_ = 0;
      Dispatch();
    });
  }
}

std::optional<std::string> Scheduler::Infeasible(int index) const {
  const common::Workstream& ws = plan_->workstreams[index];
  PlacementRequest request{static_cast<uint32_t>(ws.gpus), ws.labels, {}};
  return ws.nodes > 1 ? cluster_.WhyGangInfeasible(request, ws.nodes)
                      : cluster_.WhyInfeasible(request);
}

std::string Scheduler::GangWaiting(int index) const {
  const common::Workstream& ws = plan_->workstreams[index];
  PlacementRequest request{static_cast<uint32_t>(ws.gpus), ws.labels, {}};
  int free = std::min(cluster_.CountPlaceable(request), ws.nodes);
  std::string what = ws.gpus == 0   ? "a free slot"
                     : ws.gpus == 1 ? "a free GPU"
                                    : std::to_string(ws.gpus) + " free GPUs";
  return "waiting: " + std::to_string(free) + " of " + std::to_string(ws.nodes) + " nodes " +
         (free == 1 ? "has " : "have ") + what;
}

bool Scheduler::Queueable(int index) const {
  const common::Workstream& ws = plan_->workstreams[index];
  return ws.gpus == 0 && ws.nodes <= 1 && ws.agent_type.empty();
}

bool Scheduler::TryAssign(int index, bool may_queue) {
  const common::Workstream& ws = plan_->workstreams[index];
  int nodes = std::max(1, ws.nodes);
  PlacementRequest request{static_cast<uint32_t>(ws.gpus), ws.labels, {},
                           may_queue ? options_.worker_queue : 0};
  std::optional<std::vector<Placement>> gang = placement_.PlaceGang(request, nodes, cluster_);
  if (!gang) return false;
  const std::vector<Placement>& placements = *gang;
  Run& run = runs_[index];
  RetryContext retry = RetryContextOf(index);  // before this attempt replaces the last
  int number = run.row.attempts + 1;
  std::vector<AttemptRow> ranks;
  std::vector<std::string> node_addrs;
  std::string workers;
  for (int rank = 0; rank < nodes; ++rank) {
    AttemptRow attempt;
    attempt.workstream_id = ws.id.ToString();
    attempt.number = number;
    attempt.rank = rank;
    attempt.attempt_id = NewId(attempt.workstream_id + "-a" + std::to_string(number) +
                               (rank > 0 ? "r" + std::to_string(rank) : ""));
    if (rank > 0) attempt.gang = ranks[0].attempt_id;
    attempt.worker_id = placements[rank].worker_id;
    attempt.gpus = placements[rank].gpu_indices;
    attempt.started_unix_ms = WallMillis(clock_);
    const WorkerView* worker = cluster_.Find(attempt.worker_id);
    node_addrs.push_back(worker != nullptr && !worker->hostname.empty() ? worker->hostname
                                                                        : attempt.worker_id);
    workers += (workers.empty() ? "" : ",") + attempt.worker_id;
    ranks.push_back(std::move(attempt));
  }
  run.row.attempts = number;
  run.row.state = v1::WORKSTREAM_STATE_ASSIGNED;
  run.row.current_attempt = ranks[0].attempt_id;
  run.row.worker_id = workers;
  run.row.message.clear();
  run.waiting.clear();
  run.cancel_requested = false;
  run.gang_waiting_since.reset();
  run.gang.clear();
  run.gang_break.reset();
  run.facts = WorkstreamFacts();
  ready_.Remove(index);
  dirty_.erase(index);
  Unqueue(index);
  if (const WorkerView* worker = cluster_.Find(ranks[0].worker_id); nodes == 1 && worker->room() <= 0) {
    run.queued_since = clock_.Now();
    queued_.insert(index);
  }
  for (const AttemptRow& attempt : ranks) {
    cluster_.Reserve(attempt.worker_id, attempt.gpus, attempt.attempt_id);
    pending_attempts_.push_back(attempt.attempt_id);
    run.attempt_ids.push_back(attempt.attempt_id);
    run.gang.push_back(attempt.attempt_id);
    attempts_[attempt.attempt_id] = attempt;
    ++counters_.attempts_started;
    QueueAssign(index, attempt, node_addrs, retry);
  }
  return true;
}

Scheduler::RetryContext Scheduler::RetryContextOf(int index) const {
  const Run& run = runs_[index];
  RetryContext retry;
  if (run.row.attempts == 0) return retry;
  if (run.facts.agent) retry.resume_session = run.facts.agent->session_id();
  constexpr std::string_view kRetrying = "retrying after: ";
  std::string why = run.row.message;
  if (why.rfind(kRetrying, 0) == 0) why = why.substr(kRetrying.size());
  // The end of the previous attempt's output, as its worker sent it: what the agent needs
  // to see to fix it (a lost attempt's worker sent none).
  const std::string& tail = run.facts.failure_tail;
  retry.previous_failure = why + (tail.empty() ? "" : "\n\nThe end of its log:\n\n```\n" + tail + "\n```");
  return retry;
}

void Scheduler::QueueAssign(int index, const AttemptRow& attempt,
                            const std::vector<std::string>& node_addrs, const RetryContext& retry) {
  const common::Workstream& ws = plan_->workstreams[index];
  std::vector<std::string> dependencies;
  if (!ws.agent_type.empty()) {
    for (int dependency : plan_->graph.dependencies[index]) {
      std::string summary = SummaryOf(dependency, /*as_succeeded=*/false);
      if (!summary.empty()) dependencies.push_back(std::move(summary));
    }
  }
  AttemptSpecInputs inputs;
  inputs.plan_id = plan_row_.plan_id;
  inputs.prompt = RenderPrompt(ws, plan_row_.plan_id, dependencies);
  inputs.node_addrs = node_addrs;
  inputs.resume_session = retry.resume_session;
  inputs.previous_failure = retry.previous_failure;
  inputs.default_step_timeout_seconds = options_.default_step_timeout_seconds;
  inputs.write_back = options_.write_back;
  if (const WorkerView* worker = cluster_.Find(attempt.worker_id); worker != nullptr && worker->writes_logs) {
    StatePaths paths{options_.state_dir};
    inputs.log_path = paths.Log(attempt.workstream_id, attempt.attempt_id);
    inputs.transcript_path = paths.Transcript(attempt.workstream_id, attempt.attempt_id);
  }
  v1::CoordinatorMessage message;
  *message.mutable_assign()->mutable_attempt() = BuildAttemptSpec(ws, attempt, inputs);
  pending_assigns_.emplace_back(attempt.worker_id, std::move(message));
}

void Scheduler::SendAssigns() {
  if (pending_assigns_.empty()) return;
  std::vector<AttemptRow> attempts;
  std::vector<WorkstreamRow> rows;
  for (const std::string& id : pending_attempts_) {
    const AttemptRow& attempt = attempts_.at(id);
    attempts.push_back(attempt);
    rows.push_back(runs_[IndexOf(attempt)].row);
  }
  if (absl::Status status = store_.StartAttempts(attempts, rows); !status.ok()) {
    StoreFailed(status);
  }
  for (auto& [worker, message] : pending_assigns_) output_.Send(worker, message);
  pending_assigns_.clear();
  pending_attempts_.clear();
  output_.StatusChanged();
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
    auto found = attempts_.find(running.attempt_id());
    bool current = found != attempts_.end() && !found->second.finished &&
                   found->second.worker_id == worker.id && IsCurrent(found->second);
    if (current) {
      welcome.add_adopted_attempt_ids(running.attempt_id());
      cluster_.Reserve(worker.id, found->second.gpus, running.attempt_id());
      // What its gang put while it was away; and, if another rank ended the gang, its end.
      Run& run = runs_[IndexOf(found->second)];
      if (running.queued() && !run.queued_since && run.gang.size() == 1) {
        // Still in its queue (a coordinator that restarted did not know): revocable again.
        run.queued_since = clock_.Now();
        queued_.insert(IndexOf(found->second));
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
        v1::CoordinatorMessage turn;
        turn.mutable_merge_turn()->set_attempt_id(merge_.holder());
        if (options_.write_back) {
          turn.mutable_merge_turn()->set_summary(SummaryOf(IndexOf(found->second), /*as_succeeded=*/true));
        }
        after_welcome.push_back(std::move(turn));
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
  Dispatch();
  output_.StatusChanged();
}

void Scheduler::OnHeartbeat(const std::string& worker_id, const v1::Heartbeat&) {
  workers_.Alive(worker_id, /*heartbeat=*/true);
}

void Scheduler::OnWorkerDisconnected(const std::string& worker_id) {
  workers_.Disconnected(worker_id);
  output_.StatusChanged();
}

void Scheduler::OnWorkerRefused(const std::string& worker_id, const std::string& reason) {
  uint64_t held = 0;
  if (log_limiter_.Allow("refused " + worker_id, &held)) {
    spdlog::warn("refused worker '{}': {}{}", worker_id, reason,
                 held > 0 ? " (" + std::to_string(held) + " more refusals since the last line)" : "");
  }
}

void Scheduler::LeaseExpired(WorkerView& worker) {
  ++counters_.leases_expired;
  spdlog::warn("worker {} missed its lease; its {} attempt(s) are lost", worker.id, worker.attempts.size());
  std::vector<std::string> attempts(worker.attempts.begin(), worker.attempts.end());
  for (const std::string& attempt : attempts) {
    AttemptLost(attempt, "worker " + worker.id + " missed its lease");
  }
  auto [rows, attempt_rows] = TakeDirty();
  if (absl::Status status = store_.MarkWorkerLost(
          {worker.id, worker.hostname, "lost", worker.last_heartbeat_unix_ms}, attempt_rows, rows);
      !status.ok()) {
    StoreFailed(status);
  }
  SendRelays();  // a merge turn the lost attempt held goes to the next
  Dispatch();
  output_.StatusChanged();
}

bool Scheduler::Done() const {
  if (plan_ == nullptr) return true;
  bool waiting = false;
  for (const Run& run : runs_) {
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING) return false;
    if (!Ended(state)) waiting = true;
  }
  return !waiting || halted_;
}

}  // namespace wsfleet::coordinator
