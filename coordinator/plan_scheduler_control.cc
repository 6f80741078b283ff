// The control API's commands on one plan: cancel, retry, re-run. Each changes the run through the same
// transitions as workers' events, stores the change, and dispatches what it freed.

#include <deque>
#include <set>

#include "coordinator/plan_scheduler.h"

namespace wsfleet::coordinator {
namespace {

bool Active(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING;
}

}  // namespace

int PlanScheduler::Cancel(const std::string& workstream_id, bool all, std::string* error) {
  if (!run_.has_plan()) {
    if (error) *error = "no plan has been submitted";
    return 0;
  }
  std::vector<int> targets;
  if (all) {
    for (size_t i = 0; i < run_.runs.size(); ++i) targets.push_back(static_cast<int>(i));
  } else {
    std::optional<int> index = run_.plan->IndexOf(workstream_id);
    if (!index) {
      if (error) *error = "no workstream " + workstream_id + " in plan " + run_.row.plan_id;
      return 0;
    }
    targets.push_back(*index);
  }
  int cancelled = 0;
  for (int index : targets) {
    WorkstreamRun& run = run_.runs[index];
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY) {
      Finish(index, v1::WORKSTREAM_STATE_CANCELLED, "cancelled before it started");
      BlockDependents(index, run_.plan->workstreams[index].id.ToString() + " was cancelled");
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

absl::Status PlanScheduler::Retry(const std::string& workstream_id) {
  if (!run_.has_plan()) return absl::FailedPreconditionError("no plan has been submitted");
  std::optional<int> found = run_.plan->IndexOf(workstream_id);
  if (!found) return absl::NotFoundError("no workstream " + workstream_id + " in the plan");
  int index = *found;
  WorkstreamRun& run = run_.runs[index];
  if (run.row.state == v1::WORKSTREAM_STATE_BLOCKED) {
    return absl::FailedPreconditionError(workstream_id + " is " + run.row.message +
                                         "; retry what blocks it");
  }
  if (run.row.state != v1::WORKSTREAM_STATE_FAILED &&
      run.row.state != v1::WORKSTREAM_STATE_CANCELLED) {
    return absl::FailedPreconditionError(workstream_id +
                                         " has not failed or been cancelled; nothing to retry");
  }
  const common::Workstream& ws = run_.plan->workstreams[index];
  run_.SetState(index, v1::WORKSTREAM_STATE_PENDING);
  run.row.message.clear();
  run.row.finished_unix_ms = 0;
  run.row.lost_retries_left = ws.retries.value_or(options_.default_lost_retries);
  run.row.failed_retries_left = ws.retries.value_or(options_.default_failed_retries);
  run.cancel_requested = false;
  run_.MarkDirty(index);
  // Whatever it blocked waits again (unless something else still blocks it).
  std::deque<int> queue(run_.plan->graph.dependents[index].begin(),
                        run_.plan->graph.dependents[index].end());
  while (!queue.empty()) {
    int dependent = queue.front();
    queue.pop_front();
    if (run_.runs[dependent].row.state != v1::WORKSTREAM_STATE_BLOCKED) continue;
    run_.SetState(dependent, v1::WORKSTREAM_STATE_PENDING);
    run_.runs[dependent].row.message.clear();
    run_.runs[dependent].row.finished_unix_ms = 0;
    run_.MarkDirty(dependent);
    for (int next : run_.plan->graph.dependents[dependent]) queue.push_back(next);
  }
  run_.halted = false;
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    if (run_.runs[i].row.state == v1::WORKSTREAM_STATE_FAILED && !run_.row.keep_going) run_.halted = true;
  }
  for (size_t i = 0; i < run_.runs.size(); ++i) Promote(static_cast<int>(i));
  CommitDirty();
  shared_.dispatch();
  return absl::OkStatus();
}

std::set<int> PlanScheduler::WithDependents(std::deque<int> roots, const common::PlanGraph& graph) {
  std::set<int> chosen;
  while (!roots.empty()) {
    int index = roots.front();
    roots.pop_front();
    if (!chosen.insert(index).second) continue;
    for (int dependent : graph.dependents[index]) roots.push_back(dependent);
  }
  return chosen;
}

void PlanScheduler::AfterRerun() {
  run_.halted = false;
  for (const WorkstreamRun& run : run_.runs) {
    if (run.row.state == v1::WORKSTREAM_STATE_FAILED && !run_.row.keep_going) run_.halted = true;
  }
  for (size_t i = 0; i < run_.runs.size(); ++i) Promote(static_cast<int>(i));
  CommitDirty();
  shared_.dispatch();
  output_.StatusChanged(*this);
}

absl::StatusOr<int> PlanScheduler::Rerun(const RerunSelection& selection) {
  if (!run_.has_plan()) return absl::FailedPreconditionError("no plan has been submitted");
  if (!budget_.stop_reason().empty()) {
    return absl::FailedPreconditionError("the plan's agent budget is spent (" + budget_.stop_reason() +
                                         "): nothing more runs under it");
  }
  std::deque<int> roots;
  for (const std::string& id : selection.workstreams) {
    std::optional<int> found = run_.plan->IndexOf(id);
    if (!found) return absl::NotFoundError("no workstream " + id + " in the plan");
    roots.push_back(*found);
  }
  for (size_t i = 0; selection.failed && i < run_.runs.size(); ++i) {
    v1::WorkstreamState state = run_.runs[i].row.state;
    if (state == v1::WORKSTREAM_STATE_FAILED || state == v1::WORKSTREAM_STATE_CANCELLED ||
        state == v1::WORKSTREAM_STATE_BLOCKED) {
      roots.push_back(static_cast<int>(i));
    }
  }
  std::set<int> chosen = WithDependents(std::move(roots), run_.plan->graph);
  for (int index : chosen) {
    if (Active(run_.runs[index].row.state)) {
      return absl::FailedPreconditionError(run_.card(index).id.ToString() +
                                           " is running; let it finish or cancel it first");
    }
  }
  int reset = 0;
  for (int index : chosen) {
    WorkstreamRun& run = run_.runs[index];
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY) continue;
    run_.SetState(index, v1::WORKSTREAM_STATE_PENDING);
    ResetRow(run.row, run_.card(index));
    run.cancel_requested = false;
    run_.MarkDirty(index);
    ++reset;
  }
  AfterRerun();
  return reset;
}

}  // namespace wsfleet::coordinator
