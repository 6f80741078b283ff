#include "coordinator/plan_scheduler.h"

#include <malloc.h>

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

PlanScheduler::PlanScheduler(SchedulerShared& shared, PlanLimits limits)
    : clock_(shared.clock),
      store_(shared.store),
      output_(shared.output),
      options_(shared.options),
      random_(shared.random),
      workers_(shared.workers),
      shared_(shared),
      share_(shared.clock, limits),
      budget_(options_.plan_budget),
      merge_([this](const std::string& a, const std::string& b) {
        return run_.KeyOf(run_.IndexOf(run_.attempts.at(a))) < run_.KeyOf(run_.IndexOf(run_.attempts.at(b)));
      }),
      dispatcher_(shared.clock, shared.store, shared.output, shared.placement, shared.workers.cluster(),
                  shared.options, run_, shared.random, *this,
                  [this](int index, const std::string& message) { Fail(index, message); },
                  [&shared] { shared.dispatch(); }) {
  dispatcher_.set_share(&share_);
}

PlanScheduler::~PlanScheduler() = default;

void PlanScheduler::CommitDirty() {
  if (run_.CommitDirty(store_)) output_.StatusChanged(*this);
}

absl::Status PlanScheduler::Store(std::unique_ptr<common::Plan> plan, PlanRow row,
                                  const std::vector<std::string>& retire) {
  row.limits = share_.limits();
  run_.row.plan_id = row.plan_id;  // for InitialRow
  std::vector<WorkstreamRow> rows;
  rows.reserve(plan->workstreams.size());
  for (const common::Workstream& ws : plan->workstreams) rows.push_back(InitialRow(ws));
  if (absl::Status status = store_.SubmitPlan(row, rows, retire); !status.ok()) return status;
  if (plan->sources.empty()) plan->sources = std::move(row.files);  // one copy of the texts, the plan's
  // Stored: gone before the runs are made, or the peak of a large submit holds both; and
  // what storing left free (the encoding, SQLite's buffers) handed back before the runs take
  // new memory (100,000 cards: the submit's peak 323 -> 297-303 MB from a folder, 256 ->
  // 213 MB from one file).
  std::vector<std::string>().swap(row.parsed);
  malloc_trim(0);
  run_.Adopt(std::move(plan), std::move(row));
  run_.DropStoredText();
  for (size_t i = 0; i < run_.runs.size(); ++i) run_.runs[i].row = std::move(rows[i]);
  run_.Recount();
  return absl::OkStatus();
}

void PlanScheduler::Begin() {
  shared_.observer->PlanSubmitted();
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    if (run_.runs[i].row.state == v1::WORKSTREAM_STATE_SKIPPED) output_.WorkstreamEnded(*this, static_cast<int>(i));
  }
  for (size_t i = 0; i < run_.runs.size(); ++i) Promote(static_cast<int>(i));
  // What none of the workers already connected could run fails now, with the reason.
  bool fleet_known = workers_.AnyAlive() && !options_.workers_on_demand;
  for (size_t i = 0; i < run_.runs.size() && fleet_known; ++i) {
    v1::WorkstreamState state = run_.runs[i].row.state;
    if (state != v1::WORKSTREAM_STATE_READY && state != v1::WORKSTREAM_STATE_PENDING) continue;
    if (std::optional<std::string> infeasible = dispatcher_.Infeasible(static_cast<int>(i))) {
      Fail(static_cast<int>(i), "cannot be placed: " + *infeasible);
    }
  }
  CommitDirty();
  shared_.dispatch();
  output_.StatusChanged(*this);
}

WorkstreamRow PlanScheduler::InitialRow(const common::Workstream& ws) const {
  WorkstreamRow initial;
  initial.plan_id = run_.row.plan_id;
  initial.workstream_id = ws.id.ToString();
  initial.state = ws.completed() ? v1::WORKSTREAM_STATE_SKIPPED : v1::WORKSTREAM_STATE_PENDING;
  initial.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  initial.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
  if (ws.completed()) initial.message = "card says " + ws.notes().status_text;
  return initial;
}

void PlanScheduler::ResetRow(WorkstreamRow& row, const common::Workstream& ws) const {
  row.state = v1::WORKSTREAM_STATE_PENDING;
  row.message.clear();
  row.finished_unix_ms = 0;
  row.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  row.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
}

absl::Status PlanScheduler::Recover(StoredPlan stored_plan) {
  StoredPlan* stored = &stored_plan;
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
  if (!plan->ok()) return absl::DataLossError("the stored plan " + stored->plan.plan_id + " no longer validates");
  run_.Adopt(std::move(plan), std::move(stored->plan));
  run_.DropStoredText();
  std::map<std::string, WorkstreamRow> rows;
  for (WorkstreamRow& row : stored->workstreams) rows[row.workstream_id] = std::move(row);
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    std::string id = run_.plan->workstreams[i].id.ToString();
    auto found = rows.find(id);
    if (found != rows.end()) {
      run_.runs[i].row = found->second;
    } else {
      run_.runs[i].row.plan_id = run_.row.plan_id;
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
          share_.Hold(attempt.attempt_id, attempt.worker_id, attempt.gpus.size());
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

void PlanScheduler::Promote(int index) {
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

void PlanScheduler::PromoteDependents(int index) {
  for (int dependent : run_.plan->graph.dependents[index]) Promote(dependent);
}

bool PlanScheduler::Reattach(WorkerView& worker, const v1::RunningAttempt& running,
                             std::vector<v1::CoordinatorMessage>& after_welcome) {
  auto found = run_.attempts.find(running.attempt_id());
  bool current = found != run_.attempts.end() && !found->second.finished && found->second.worker_id == worker.id &&
                 run_.IsCurrent(found->second);
  if (!current) return false;
  workers_.cluster().Reserve(worker.id, found->second.gpus, running.attempt_id());
  share_.Hold(running.attempt_id(), worker.id, found->second.gpus.size());
  // What its gang put while it was away; and, if another rank ended the gang, its end.
  WorkstreamRun& run = run_.runs[run_.IndexOf(found->second)];
  if (running.queued() && !run.queued_since && run.gang.size() == 1) {
    // Still in its queue (a coordinator that restarted did not know): revocable again.
    run.queued_since = clock_.Now();
    run_.queued.insert(run_.IndexOf(found->second));
  }
  for (const auto& [key, value] : run.facts().rendezvous) {
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
    cancel.mutable_cancel()->set_reason(run.gang_break ? run.gang_break->message : "cancelled by user");
    after_welcome.push_back(std::move(cancel));
  }
  return true;
}

}  // namespace wsfleet::coordinator
