// The scheduler's reactions to what workers report and to the control API: events and
// their group commit, attempt outcomes, retries with backoff, blocking, cancel and retry.

#include <algorithm>
#include <deque>
#include <utility>

#include "common/criteria.h"
#include "coordinator/scheduler.h"
#include "coordinator/scheduler_run.h"

namespace wsfleet::coordinator {
namespace {

int64_t WallMillis(const common::Clock& clock) { return common::ToUnixMillis(clock.WallNow()); }

bool Active(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING;
}

}  // namespace

void Scheduler::OnEvents(const std::string& worker_id, v1::EventBatch batch) {
  workers_.Alive(worker_id, /*heartbeat=*/false);  // any message proves the worker alive
  intake_.Queue(worker_id, std::move(batch));
}

AttemptRow* Scheduler::Fence(const std::string& worker_id, const v1::Event& event) {
  auto found = attempts_.find(event.attempt_id());
  if (found == attempts_.end() || found->second.worker_id != worker_id || !IsCurrent(found->second)) {
    return nullptr;
  }
  // Output said to be in the log already comes only from a worker on this machine.
  if (event.has_log() && event.log().in_file()) {
    const WorkerView* worker = cluster_.Find(worker_id);
    if (worker == nullptr || !worker->writes_logs) return nullptr;
  }
  return &found->second;
}

void Scheduler::FlushEvents() {
  if (intake_.empty()) return;
  std::vector<v1::Event> to_store;
  std::vector<std::pair<std::string, v1::AttemptFinished>> finished;
  for (auto& [attempt, event] : intake_.Admit()) {
    dirty_attempts_.insert(attempt->attempt_id);
    observer_->EventStored(attempt->workstream_id, event);
    Apply(*attempt, event);
    if (event.has_finished()) finished.emplace_back(attempt->attempt_id, event.finished());
    to_store.push_back(std::move(event));
  }
  for (auto& [attempt_id, outcome] : finished) AttemptFinished(attempts_.at(attempt_id), outcome);
  // What the finishes made ready is placed now and committed with the events: one
  // transaction per batch, however many workstreams it ends and starts.
  if (!finished.empty()) DispatchRound();
  for (const std::string& id : pending_attempts_) {
    dirty_attempts_.insert(id);
    dirty_.insert(IndexOf(attempts_.at(id)));
  }
  pending_attempts_.clear();
  auto [rows, attempt_rows] = TakeDirty();
  if (!to_store.empty() || !rows.empty()) {
    if (absl::Status status = store_.RecordEvents(std::move(to_store), attempt_rows, rows);
        !status.ok()) {
      StoreFailed(status);
    }
  }
  intake_.Answer(output_, [this](const std::string& worker, const std::string& attempt) {
    uint64_t held = 0;
    if (log_limiter_.Allow("fenced " + worker, &held)) {
      spdlog::warn("rejected events from worker {} for attempt {}: not its current attempt{}", worker, attempt,
                   held > 0 ? " (and " + std::to_string(held) + " more since the last line)" : "");
    }
  });  // only now, with everything stored
  for (auto& [worker, message] : pending_assigns_) output_.Send(worker, message);
  pending_assigns_.clear();
  SendRelays();
  output_.StatusChanged();
}

void Scheduler::Apply(const AttemptRow& attempt, const v1::Event& event) {
  // What the plan and its merge queue hear of every attempt.
  if (event.has_agent()) {
    if (std::optional<std::string> over = budget_.Record(attempt.attempt_id, event.agent())) {
      StopForPlanBudget(*over);
    }
  }
  if (event.has_merge_request()) SendMergeTurn(merge_.Request(attempt.attempt_id));
  if (event.has_finished()) SendMergeTurn(merge_.End(attempt.attempt_id));
  // What the workstream hears only of its current attempt (a replay meets older ones too).
  if (!IsCurrent(attempt)) return;
  int index = IndexOf(attempt);
  Run& run = runs_[index];
  if (run.facts.Apply(event)) {
    const v1::RendezvousPut& put = event.rendezvous_put();
    Relay(index, put.key(), put.value());
  }
  if (event.has_started()) {
    Unqueue(index);
    if (run.row.state == v1::WORKSTREAM_STATE_ASSIGNED) {
      run.row.state = v1::WORKSTREAM_STATE_RUNNING;
      if (run.row.started_unix_ms == 0) run.row.started_unix_ms = event.time_unix_ms();
      MarkDirty(index);
      observer_->AttemptStarted(clock_.Now() - run.not_before);
    }
  }
}

int Scheduler::IndexOf(const AttemptRow& attempt) const {
  // attempts_ holds only attempts of the plan's workstreams (Submit, Recover).
  return plan_->IndexOf(attempt.workstream_id).value();
}

bool Scheduler::IsCurrent(const AttemptRow& attempt) const {
  std::optional<int> index = plan_->IndexOf(attempt.workstream_id);
  return index && runs_[*index].row.current_attempt == attempt.GangId();
}

void Scheduler::Relay(int index, const std::string& key, const std::string& value) {
  for (const std::string& id : runs_[index].gang) {
    const AttemptRow& rank = attempts_.at(id);
    if (rank.finished) continue;
    v1::CoordinatorMessage message;
    message.mutable_rendezvous()->set_attempt_id(id);
    message.mutable_rendezvous()->set_key(key);
    message.mutable_rendezvous()->set_value(value);
    pending_relays_.emplace_back(rank.worker_id, std::move(message));
  }
}

void Scheduler::AttemptFinished(AttemptRow& attempt, const v1::AttemptFinished& finished) {
  attempt.finished = true;
  attempt.outcome = finished.outcome();
  attempt.finished_unix_ms = WallMillis(clock_);
  dirty_attempts_.insert(attempt.attempt_id);
  observer_->AttemptEnded(finished.outcome());
  cluster_.Release(attempt.worker_id, attempt.gpus, attempt.attempt_id);
  const Run& run = runs_[IndexOf(attempt)];
  if (finished.outcome() == v1::ATTEMPT_OUTCOME_REVOKED && !run.cancel_requested) {
    Revoked(IndexOf(attempt), attempt);
    return;
  }
  Unqueue(IndexOf(attempt));
  RankEnd end{RankEnd::Kind::kFailed, finished.message(), finished.budget_stop()};
  if (finished.outcome() == v1::ATTEMPT_OUTCOME_SUCCEEDED) {
    end.kind = RankEnd::Kind::kSucceeded;
  } else if (finished.outcome() == v1::ATTEMPT_OUTCOME_CANCELLED ||
             finished.outcome() == v1::ATTEMPT_OUTCOME_REVOKED) {
    // Stopped because it was asked to (a cancel, or another rank ended the gang), or by
    // its worker on its own (drained, shutting down): that is as good as lost.
    if (run.cancel_requested || run.gang_break) {
      end.kind = RankEnd::Kind::kCancelled;
    } else {
      end = {RankEnd::Kind::kLost, "stopped by its worker: " + finished.message(), false};
    }
  }
  RankEnded(attempt, end);
}

void Scheduler::AttemptLost(const std::string& attempt_id, const std::string& reason) {
  auto found = attempts_.find(attempt_id);
  if (found == attempts_.end()) return;
  AttemptRow& attempt = found->second;
  cluster_.Release(attempt.worker_id, attempt.gpus, attempt.attempt_id);
  if (attempt.finished) return;
  Unqueue(IndexOf(attempt));
  attempt.finished = true;
  attempt.outcome = v1::ATTEMPT_OUTCOME_LOST;
  attempt.finished_unix_ms = WallMillis(clock_);
  dirty_attempts_.insert(attempt_id);
  observer_->AttemptEnded(v1::ATTEMPT_OUTCOME_LOST);
  RankEnded(attempt, {RankEnd::Kind::kLost, reason, false});
}

void Scheduler::RankEnded(const AttemptRow& attempt, const RankEnd& end) {
  SendMergeTurn(merge_.End(attempt.attempt_id));
  int index = IndexOf(attempt);
  Run& run = runs_[index];
  if (!IsCurrent(attempt) || !Active(run.row.state)) return;
  bool gang = run.gang.size() > 1;
  if (end.kind != RankEnd::Kind::kSucceeded && !run.gang_break && !run.cancel_requested) {
    // The first rank to fail ends the gang: the others cannot finish without it (they
    // would wait in a collective until their own timeouts).
    std::string who = gang ? "rank " + std::to_string(attempt.rank) + " on " + attempt.worker_id + ": " : "";
    run.gang_break = Run::Break{end.kind == RankEnd::Kind::kLost, end.final, who + end.message};
    if (gang) CancelRanks(index, "the gang ended: " + run.gang_break->message);
  }
  for (const std::string& id : run.gang) {
    if (!attempts_.at(id).finished) return;  // decided once every rank has stopped
  }
  Resolve(index);
}

void Scheduler::Resolve(int index) {
  Run& run = runs_[index];
  std::optional<Run::Break> broke = std::exchange(run.gang_break, std::nullopt);
  std::string id = plan_->workstreams[index].id.ToString();
  if (run.cancel_requested) {
    Finish(index, v1::WORKSTREAM_STATE_CANCELLED,
           budget_.stop_reason().empty() ? "cancelled"
                                         : "the plan's budget is spent: " + budget_.stop_reason());
    BlockDependents(index, id + " was cancelled");
    return;
  }
  if (broke && broke->lost) {
    if (run.row.lost_retries_left > 0) {
      --run.row.lost_retries_left;
      ScheduleRetry(index, "lost: " + broke->message);
    } else {
      Fail(index, "lost " + std::to_string(run.row.attempts) + " times; last: " + broke->message);
    }
    return;
  }
  std::string failure;
  if (broke) {
    failure = broke->message.empty() ? "the attempt failed (no reason given)" : broke->message;
  } else {
    for (const common::Criterion& criterion : plan_->workstreams[index].criteria) {
      common::CriterionVerdict verdict = common::Judge(criterion, run.facts.metrics);
      if (verdict.verdict == common::Verdict::kFail) {
        failure += (failure.empty() ? "acceptance criteria failed: " : "; ") + verdict.detail;
      }
    }
  }
  if (failure.empty()) {
    Finish(index, v1::WORKSTREAM_STATE_SUCCEEDED, "");
    PromoteDependents(index);
  } else if (run.row.failed_retries_left > 0 && !(broke && broke->final)) {
    --run.row.failed_retries_left;
    ScheduleRetry(index, failure);
  } else {
    Fail(index, failure);
  }
}

void Scheduler::CancelRanks(int index, const std::string& reason) {
  for (const std::string& id : runs_[index].gang) {
    const AttemptRow& rank = attempts_.at(id);
    if (rank.finished) continue;
    v1::CoordinatorMessage message;
    message.mutable_cancel()->set_attempt_id(id);
    message.mutable_cancel()->set_reason(reason);
    output_.Send(rank.worker_id, message);
  }
}

void Scheduler::ScheduleRetry(int index, const std::string& why) {
  Run& run = runs_[index];
  run.row.state = v1::WORKSTREAM_STATE_READY;
  run.row.message = "retrying after: " + why;
  run.not_before = clock_.Now() + Backoff(run.row.attempts);
  ready_.Add(KeyOf(index));
  MarkDirty(index);
}

void Scheduler::Finish(int index, v1::WorkstreamState state, const std::string& message) {
  Run& run = runs_[index];
  run.row.state = state;
  run.row.message = message;
  run.row.finished_unix_ms = WallMillis(clock_);
  ready_.Remove(index);
  MarkDirty(index);
  output_.WorkstreamEnded(index);
  observer_->WorkstreamEnded(
      state, run.row.started_unix_ms > 0
                 ? std::chrono::milliseconds(run.row.finished_unix_ms - run.row.started_unix_ms)
                 : common::Nanos{0});
}

void Scheduler::Fail(int index, const std::string& message) {
  Finish(index, v1::WORKSTREAM_STATE_FAILED, message);
  BlockDependents(index, plan_->workstreams[index].id.ToString() + " failed");
  if (!plan_row_.keep_going) {
    halted_ = true;
    RevokeAllQueued();  // nothing new starts: what waits in workers' queues comes back
  }
}

void Scheduler::BlockDependents(int index, const std::string& reason) {
  std::deque<int> queue(plan_->graph.dependents[index].begin(),
                        plan_->graph.dependents[index].end());
  while (!queue.empty()) {
    int dependent = queue.front();
    queue.pop_front();
    v1::WorkstreamState state = runs_[dependent].row.state;
    if (state != v1::WORKSTREAM_STATE_PENDING && state != v1::WORKSTREAM_STATE_READY) continue;
    Finish(dependent, v1::WORKSTREAM_STATE_BLOCKED, "blocked: " + reason);
    for (int next : plan_->graph.dependents[dependent]) queue.push_back(next);
  }
}

int Scheduler::Cancel(const std::string& workstream_id, bool all, std::string* error) {
  if (plan_ == nullptr) {
    if (error) *error = "no plan has been submitted";
    return 0;
  }
  std::vector<int> targets;
  if (all) {
    for (size_t i = 0; i < runs_.size(); ++i) targets.push_back(static_cast<int>(i));
  } else {
    std::optional<int> index = plan_->IndexOf(workstream_id);
    if (!index) {
      if (error) *error = "no workstream " + workstream_id + " in plan " + plan_row_.plan_id;
      return 0;
    }
    targets.push_back(*index);
  }
  int cancelled = 0;
  for (int index : targets) {
    Run& run = runs_[index];
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY) {
      Finish(index, v1::WORKSTREAM_STATE_CANCELLED, "cancelled before it started");
      BlockDependents(index, plan_->workstreams[index].id.ToString() + " was cancelled");
      ++cancelled;
    } else if (Active(state) && !run.cancel_requested) {
      run.cancel_requested = true;
      CancelRanks(index, "cancelled by user");
      ++cancelled;
    }
  }
  CommitDirty();
  return cancelled;
}

absl::Status Scheduler::Retry(const std::string& workstream_id) {
  if (plan_ == nullptr) return absl::FailedPreconditionError("no plan has been submitted");
  std::optional<int> found = plan_->IndexOf(workstream_id);
  if (!found) return absl::NotFoundError("no workstream " + workstream_id + " in the plan");
  int index = *found;
  Run& run = runs_[index];
  if (run.row.state == v1::WORKSTREAM_STATE_BLOCKED) {
    return absl::FailedPreconditionError(workstream_id + " is " + run.row.message +
                                         "; retry what blocks it");
  }
  if (run.row.state != v1::WORKSTREAM_STATE_FAILED &&
      run.row.state != v1::WORKSTREAM_STATE_CANCELLED) {
    return absl::FailedPreconditionError(workstream_id +
                                         " has not failed or been cancelled; nothing to retry");
  }
  const common::Workstream& ws = plan_->workstreams[index];
  run.row.state = v1::WORKSTREAM_STATE_PENDING;
  run.row.message.clear();
  run.row.finished_unix_ms = 0;
  run.row.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  run.row.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
  run.cancel_requested = false;
  MarkDirty(index);
  // Whatever it blocked waits again (unless something else still blocks it).
  std::deque<int> queue(plan_->graph.dependents[index].begin(),
                        plan_->graph.dependents[index].end());
  while (!queue.empty()) {
    int dependent = queue.front();
    queue.pop_front();
    if (runs_[dependent].row.state != v1::WORKSTREAM_STATE_BLOCKED) continue;
    runs_[dependent].row.state = v1::WORKSTREAM_STATE_PENDING;
    runs_[dependent].row.message.clear();
    runs_[dependent].row.finished_unix_ms = 0;
    MarkDirty(dependent);
    for (int next : plan_->graph.dependents[dependent]) queue.push_back(next);
  }
  halted_ = false;
  for (size_t i = 0; i < runs_.size(); ++i) {
    if (runs_[i].row.state == v1::WORKSTREAM_STATE_FAILED && !plan_row_.keep_going) halted_ = true;
  }
  for (size_t i = 0; i < runs_.size(); ++i) Promote(static_cast<int>(i));
  CommitDirty();
  Dispatch();
  return absl::OkStatus();
}

absl::Status Scheduler::Drain(const std::string& worker_id) {
  if (absl::Status status = workers_.Drain(worker_id); !status.ok()) return status;
  v1::CoordinatorMessage message;
  message.mutable_drain();
  output_.Send(worker_id, message);
  output_.StatusChanged();
  return absl::OkStatus();
}

void Scheduler::StopForPlanBudget(const std::string& why) {
  halted_ = true;  // nothing new starts
  for (size_t i = 0; i < runs_.size(); ++i) {
    int index = static_cast<int>(i);
    Run& run = runs_[i];
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY) {
      Finish(index, v1::WORKSTREAM_STATE_CANCELLED, "the plan's budget is spent: " + why);
    } else if ((state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING) &&
               !run.cancel_requested) {
      run.cancel_requested = true;
      CancelRanks(index, "the plan's budget is spent: " + why);
    }
  }
}

void Scheduler::SendMergeTurn(const std::optional<std::string>& granted) {
  if (!granted) return;
  const AttemptRow& attempt = attempts_.at(*granted);
  v1::CoordinatorMessage message;
  message.mutable_merge_turn()->set_attempt_id(*granted);
  if (options_.write_back) {
    message.mutable_merge_turn()->set_summary(SummaryOf(IndexOf(attempt), /*as_succeeded=*/true));
  }
  pending_relays_.emplace_back(attempt.worker_id, std::move(message));
}

void Scheduler::SendRelays() {
  for (auto& [worker, message] : pending_relays_) output_.Send(worker, message);
  pending_relays_.clear();
}

}  // namespace wsfleet::coordinator
