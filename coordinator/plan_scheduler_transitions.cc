// The scheduler's reactions to what workers report: events and their group commit,
// attempt outcomes, retries with backoff, blocking, the plan's budget and merge turns.

#include <algorithm>
#include <deque>
#include <utility>

#include "coordinator/summary_render.h"
#include "coordinator/verdict.h"
#include "coordinator/plan_scheduler.h"

namespace wsfleet::coordinator {
namespace {

int64_t WallMillis(const common::Clock& clock) { return common::ToUnixMillis(clock.WallNow()); }

bool Active(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING;
}

}  // namespace

AttemptRow* PlanScheduler::Fence(const std::string& worker_id, const v1::Event& event) {
  auto found = run_.attempts.find(event.attempt_id());
  if (found == run_.attempts.end() || found->second.worker_id != worker_id || !run_.IsCurrent(found->second)) {
    return nullptr;
  }
  // Output said to be in the log already comes only from a worker on this machine.
  if (event.has_log() && event.log().in_file()) {
    const WorkerView* worker = workers_.cluster().Find(worker_id);
    if (worker == nullptr || !worker->writes_logs) return nullptr;
  }
  return &found->second;
}

void PlanScheduler::Release(const AttemptRow& attempt) {
  workers_.cluster().Release(attempt.worker_id, attempt.gpus, attempt.attempt_id);
  share_.Release(attempt.attempt_id);
}

void PlanScheduler::Apply(const AttemptRow& attempt, const v1::Event& event) {
  // What the plan and its merge queue hear of every attempt.
  if (event.has_agent()) {
    if (std::optional<std::string> over = budget_.Record(attempt.attempt_id, event.agent())) {
      StopForPlanBudget(*over);
    }
    run_.runs[run_.IndexOf(attempt)].agent_reports[attempt.attempt_id] = event.agent();
  }
  if (event.has_merge_request()) SendMergeTurn(merge_.Request(attempt.attempt_id));
  if (event.has_finished()) SendMergeTurn(merge_.End(attempt.attempt_id));
  // What the workstream hears only of its current attempt (a replay meets older ones too).
  if (!run_.IsCurrent(attempt)) return;
  int index = run_.IndexOf(attempt);
  WorkstreamRun& run = run_.runs[index];
  if (run.mutable_facts().Apply(event)) {
    const v1::RendezvousPut& put = event.rendezvous_put();
    Relay(index, put.key(), put.value());
  }
  if (event.has_started()) {
    run_.Unqueue(index);
    if (run.row.state == v1::WORKSTREAM_STATE_ASSIGNED) {
      run_.SetState(index, v1::WORKSTREAM_STATE_RUNNING);
      if (run.row.started_unix_ms == 0) run.row.started_unix_ms = event.time_unix_ms();
      run_.MarkDirty(index);
      shared_.observer->AttemptStarted(clock_.Now() - run.not_before);
    }
  }
}

void PlanScheduler::Relay(int index, const std::string& key, const std::string& value) {
  for (const std::string& id : run_.runs[index].gang) {
    const AttemptRow& rank = run_.attempts.at(id);
    if (rank.finished) continue;
    v1::CoordinatorMessage message;
    message.mutable_rendezvous()->set_attempt_id(id);
    message.mutable_rendezvous()->set_key(key);
    message.mutable_rendezvous()->set_value(value);
    pending_relays_.emplace_back(rank.worker_id, std::move(message));
  }
}

void PlanScheduler::AttemptFinished(const std::string& attempt_id, const v1::AttemptFinished& finished) {
  AttemptRow& attempt = run_.attempts.at(attempt_id);
  attempt.finished = true;
  attempt.outcome = finished.outcome();
  attempt.finished_unix_ms = WallMillis(clock_);
  run_.MarkDirty(attempt.attempt_id);
  shared_.observer->AttemptEnded(finished.outcome());
  Release(attempt);
  const WorkstreamRun& run = run_.runs[run_.IndexOf(attempt)];
  if (finished.outcome() == v1::ATTEMPT_OUTCOME_REVOKED && !run.cancel_requested &&
      run.row.state == v1::WORKSTREAM_STATE_ASSIGNED) {
    Revoked(run_.IndexOf(attempt), attempt);
    return;
  }
  run_.Unqueue(run_.IndexOf(attempt));
  RankEnd end{RankEnd::Kind::kFailed, finished.message(), finished.budget_stop()};
  if (finished.outcome() == v1::ATTEMPT_OUTCOME_SUCCEEDED) {
    end.kind = RankEnd::Kind::kSucceeded;
  } else if (finished.outcome() == v1::ATTEMPT_OUTCOME_CANCELLED ||
             finished.outcome() == v1::ATTEMPT_OUTCOME_REVOKED ||
             finished.outcome() == v1::ATTEMPT_OUTCOME_HANDED_BACK) {
    // Stopped because it was asked to (a cancel, or another rank ended the gang), or by
    // its worker on its own: handed back on a shutdown (run again, not held against the
    // card), or anything else (a revoke once it had started): as good as lost.
    if (run.cancel_requested || run.gang_break) {
      end.kind = RankEnd::Kind::kCancelled;
    } else if (finished.outcome() == v1::ATTEMPT_OUTCOME_HANDED_BACK) {
      end = {RankEnd::Kind::kHandedBack, "handed back by " + attempt.worker_id + ": " + finished.message(), false};
    } else {
      end = {RankEnd::Kind::kLost, "stopped by its worker: " + finished.message(), false};
    }
  }
  RankEnded(attempt, end);
}

void PlanScheduler::Revoked(int index, const AttemptRow& attempt) {
  WorkstreamRun& run = run_.runs[index];
  run_.Unqueue(index);
  if (!run_.IsCurrent(attempt) || run.row.state != v1::WORKSTREAM_STATE_ASSIGNED) return;
  // It never ran: ready again at once, and not counted as an attempt.
  run.row.attempts = std::max(0, run.row.attempts - 1);
  run.row.current_attempt.clear();
  run.row.worker_id.clear();
  run.gang.clear();
  std::erase(run.attempt_ids, attempt.attempt_id);
  run_.MakeReady(index, clock_.Now());
}

void PlanScheduler::AttemptLost(const std::string& attempt_id, const std::string& reason) {
  auto found = run_.attempts.find(attempt_id);
  if (found == run_.attempts.end()) return;
  AttemptRow& attempt = found->second;
  Release(attempt);
  if (attempt.finished) return;
  int index = run_.IndexOf(attempt);
  // One that waited in the worker's queue never started: placed again at once, counting
  // against nothing (as if handed back).
  bool never_started = run_.queued.count(index) > 0 && run_.IsCurrent(attempt);
  run_.Unqueue(index);
  attempt.finished = true;
  attempt.outcome = v1::ATTEMPT_OUTCOME_LOST;
  attempt.finished_unix_ms = WallMillis(clock_);
  run_.MarkDirty(attempt_id);
  shared_.observer->AttemptEnded(v1::ATTEMPT_OUTCOME_LOST);
  if (never_started) {
    RankEnded(attempt, {RankEnd::Kind::kHandedBack, reason + " before it started this attempt (queued there)", false});
    return;
  }
  RankEnded(attempt, {RankEnd::Kind::kLost, reason, false});
}

void PlanScheduler::RankEnded(const AttemptRow& attempt, const RankEnd& end) {
  SendMergeTurn(merge_.End(attempt.attempt_id));
  int index = run_.IndexOf(attempt);
  WorkstreamRun& run = run_.runs[index];
  if (!run_.IsCurrent(attempt) || !Active(run.row.state)) return;
  bool gang = run.gang.size() > 1;
  if (end.kind != RankEnd::Kind::kSucceeded && !run.gang_break && !run.cancel_requested) {
    // The first rank to fail ends the gang: the others cannot finish without it (they
    // would wait in a collective until their own timeouts).
    std::string who = gang ? "rank " + std::to_string(attempt.rank) + " on " + attempt.worker_id + ": " : "";
    run.gang_break = WorkstreamRun::Break{end.kind == RankEnd::Kind::kLost, end.final, who + end.message,
                                          end.kind == RankEnd::Kind::kHandedBack};
    if (gang) CancelRanks(index, "the gang ended: " + run.gang_break->message);
  }
  for (const std::string& id : run.gang) {
    if (!run_.attempts.at(id).finished) return;  // decided once every rank has stopped
  }
  Resolve(index);
}

void PlanScheduler::Resolve(int index) {
  WorkstreamRun& run = run_.runs[index];
  std::optional<WorkstreamRun::Break> broke = std::exchange(run.gang_break, std::nullopt);
  std::string id = run_.plan->workstreams[index].id.ToString();
  if (run.cancel_requested) {
    Finish(index, v1::WORKSTREAM_STATE_CANCELLED,
           budget_.stop_reason().empty() ? "cancelled"
                                         : "the plan's budget is spent: " + budget_.stop_reason());
    BlockDependents(index, id + " was cancelled");
    return;
  }
  if (broke && broke->handed_back) {
    run.row.message = broke->message;
    run_.MakeReady(index, clock_.Now());
    return;
  }
  if (broke && broke->lost) {
    if (run.row.lost_retries_left > 0) {
      --run.row.lost_retries_left;
      // No backoff, only the fence margin: losing a worker is not the workstream's doing.
      ScheduleRetry(index, "lost: " + broke->message, /*backoff=*/false);
    } else {
      Fail(index, "lost " + std::to_string(run.row.attempts) + " times; last: " + broke->message);
    }
    return;
  }
  std::string failure;
  if (broke) {
    failure = broke->message.empty() ? "the attempt failed (no reason given)" : broke->message;
  } else {
    for (const std::string& reason : VerdictReasons(run_.card(index), run.facts(), options_.verification)) {
      failure += (failure.empty() ? "" : "; ") + reason;
    }
  }
  if (failure.empty()) {
    Finish(index, v1::WORKSTREAM_STATE_SUCCEEDED,
           run_.card(index).steps.empty() ? std::string(kNoStepsRan) + " (lenient verification)" : "");
    PromoteDependents(index);
  } else if (run.row.failed_retries_left > 0 && !(broke && broke->final)) {
    --run.row.failed_retries_left;
    ScheduleRetry(index, failure);
  } else {
    Fail(index, failure);
  }
}

void PlanScheduler::CancelRanks(int index, const std::string& reason) {
  for (const std::string& id : run_.runs[index].gang) {
    const AttemptRow& rank = run_.attempts.at(id);
    if (rank.finished) continue;
    v1::CoordinatorMessage message;
    message.mutable_cancel()->set_attempt_id(id);
    message.mutable_cancel()->set_reason(reason);
    output_.Send(rank.worker_id, message);
  }
}

void PlanScheduler::ScheduleRetry(int index, const std::string& why, bool backoff) {
  WorkstreamRun& run = run_.runs[index];
  run.row.message = "retrying after: " + why;
  common::Nanos wait = backoff ? random_.Backoff(run.row.attempts, options_.backoff_initial, options_.backoff_max,
                                                 options_.backoff_jitter)
                               : std::min(options_.fence_margin, options_.lease / 4);
  run_.MakeReady(index, clock_.Now() + wait);
}

void PlanScheduler::Finish(int index, v1::WorkstreamState state, const std::string& message) {
  WorkstreamRun& run = run_.runs[index];
  run_.SetState(index, state);
  run.row.message = message;
  run.row.finished_unix_ms = WallMillis(clock_);
  run_.ready.Remove(index);
  run_.MarkDirty(index);
  output_.WorkstreamEnded(*this, index);
  shared_.observer->WorkstreamEnded(
      state, run.row.started_unix_ms > 0
                 ? std::chrono::milliseconds(run.row.finished_unix_ms - run.row.started_unix_ms)
                 : common::Nanos{0});
}

void PlanScheduler::Fail(int index, const std::string& message) {
  Finish(index, v1::WORKSTREAM_STATE_FAILED, message);
  BlockDependents(index, run_.plan->workstreams[index].id.ToString() + " failed");
  if (!run_.row.keep_going) {
    run_.halted = true;
    dispatcher_.RevokeAllQueued();  // nothing new starts: what waits in workers' queues comes back
  }
}

void PlanScheduler::BlockDependents(int index, const std::string& reason) {
  std::deque<int> queue(run_.plan->graph.dependents[index].begin(),
                        run_.plan->graph.dependents[index].end());
  while (!queue.empty()) {
    int dependent = queue.front();
    queue.pop_front();
    v1::WorkstreamState state = run_.runs[dependent].row.state;
    if (state != v1::WORKSTREAM_STATE_PENDING && state != v1::WORKSTREAM_STATE_READY) continue;
    Finish(dependent, v1::WORKSTREAM_STATE_BLOCKED, "blocked: " + reason);
    for (int next : run_.plan->graph.dependents[dependent]) queue.push_back(next);
  }
}

void PlanScheduler::StopForPlanBudget(const std::string& why) {
  run_.halted = true;  // nothing new starts
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    int index = static_cast<int>(i);
    WorkstreamRun& run = run_.runs[i];
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

void PlanScheduler::SendMergeTurn(const std::optional<std::string>& granted) {
  // Rendered when sent, not now: a restarted coordinator's replay grants turns it never
  // sends (their workers are told again when they return).
  if (granted) pending_turns_.push_back(*granted);
}

v1::CoordinatorMessage PlanScheduler::MergeTurn(const std::string& attempt_id) const {
  v1::CoordinatorMessage message;
  message.mutable_merge_turn()->set_attempt_id(attempt_id);
  if (options_.write_back) {
    // The summary the merge commits beside the card: as it reads once the merge is done
    // (succeeded, dated now, merged by that very commit), what its worker checked included.
    RunView view = ViewOf(run_.IndexOf(run_.attempts.at(attempt_id)));
    WorkstreamRow row = view.row;
    row.state = v1::WORKSTREAM_STATE_SUCCEEDED;
    if (row.finished_unix_ms == 0) row.finished_unix_ms = common::ToUnixMillis(clock_.WallNow());
    RunView merged{view.card,        row,           view.facts,        view.attempt, "merged by this commit",
                   view.attempt_ids, view.log_paths, view.dependencies, view.dependents};
    message.mutable_merge_turn()->set_summary(RenderSummary(merged, run_.row.plan_id));
  }
  return message;
}

void PlanScheduler::SendRelays() {
  for (auto& [worker, message] : pending_relays_) output_.Send(worker, message);
  pending_relays_.clear();
  for (const std::string& attempt : pending_turns_) output_.Send(run_.attempts.at(attempt).worker_id, MergeTurn(attempt));
  pending_turns_.clear();
}

}  // namespace wsfleet::coordinator
