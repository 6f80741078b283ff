// Read-only views of the scheduler's state for the control API, summaries and metrics.

#include <algorithm>

#include "coordinator/plan_scheduler.h"
#include "common/last_line.h"

#include "coordinator/agent_spend.h"

namespace wsfleet::coordinator {

v1::RunStatus CoordinatorStatus(const SchedulerOptions& options, const StateStore& store) {
  v1::RunStatus status;
  status.set_state_dir(options.state_dir);
  status.set_metrics_url(options.metrics_url);
  if (std::optional<StateStore::Hold> hold = store.held()) {
    status.mutable_store_held()->set_reason(hold->reason);
    status.mutable_store_held()->set_since_unix_ms(hold->since_unix_ms);
    status.mutable_store_held()->set_writes(static_cast<uint32_t>(hold->writes));
  }
  return status;
}

v1::RunStatus PlanScheduler::Status() const {
  v1::RunStatus status = CoordinatorStatus(options_, store_);
  if (!run_.has_plan()) {
    status.set_done(true);
    return status;
  }
  status.set_plan_id(run_.row.plan_id);
  *status.mutable_agents_spent() = budget_.spent();
  status.set_plan_budget_stop(budget_.stop_reason());
  bool succeeded = true;
  std::map<std::string, std::string> waiting;  // per kind of request (Dispatcher::WhyWaiting)
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    FillWorkstreamStatus(i, *status.add_workstreams(), waiting);
    v1::WorkstreamState state = run_.runs[i].row.state;
    if (state != v1::WORKSTREAM_STATE_SUCCEEDED && state != v1::WORKSTREAM_STATE_SKIPPED) succeeded = false;
  }
  status.set_done(Done());
  status.set_succeeded(status.done() && succeeded);
  if (Pace pace = PaceSoFar(); !status.done() && pace.estimated_days_done > 0) {
    status.set_eta_seconds(pace.remaining_days * pace.seconds_done / pace.estimated_days_done);
  }
  return status;
}

v1::WorkstreamStatus PlanScheduler::WorkstreamStatusOf(int index) const {
  v1::WorkstreamStatus out;
  std::map<std::string, std::string> waiting;
  FillWorkstreamStatus(static_cast<size_t>(index), out, waiting);
  return out;
}

void PlanScheduler::FillWorkstreamStatus(size_t i, v1::WorkstreamStatus& out,
                                         std::map<std::string, std::string>& waiting) const {
  const common::Workstream& ws = run_.plan->workstreams[i];
  const WorkstreamRun& run = run_.runs[i];
  out.set_id(ws.id.ToString());
  out.set_name(ws.name);
  out.set_state(run.row.state);
  out.set_attempts(static_cast<uint32_t>(run.row.attempts));
  out.set_worker_id(run.row.worker_id);
  if (run.row.state == v1::WORKSTREAM_STATE_READY) {
    out.set_message(!run.row.message.empty() ? run.row.message
                    : !run.waiting.empty()   ? run.waiting
                                             : dispatcher_.WhyWaiting(static_cast<int>(i), &waiting));
    // What the launcher does about it: its job pending and why, or the engine's refusal.
    if (run.row.message.empty() && !shared_.launch_notes.empty()) {
      auto note = shared_.launch_notes.find(launcher::ShapeOf(ws).Key());
      if (note != shared_.launch_notes.end()) out.set_message(out.message() + " (" + note->second + ")");
    }
  } else if (run.row.state == v1::WORKSTREAM_STATE_RUNNING) {
    out.set_message(run.row.message);
    // What it is doing, for the live views: a small read at the log's end, running ones only.
    if (!run.attempt_ids.empty()) {
      out.set_last_output_line(common::LastLineOf(store_.LogPath(run_.row.plan_id, ws.id.ToString(), run.attempt_ids.back())));
    }
  } else if (run.row.state == v1::WORKSTREAM_STATE_ASSIGNED && run.queued_since) {
    out.set_message("queued on " + run.row.worker_id + " until one of its slots frees");
  } else {
    out.set_message(run.row.message);
  }
  out.set_started_unix_ms(run.row.started_unix_ms);
  out.set_finished_unix_ms(run.row.finished_unix_ms);
  *out.mutable_tests() = run.facts().tests;
  if (run.facts().agent) *out.mutable_agent() = *run.facts().agent;
  if (!run.agent_reports.empty()) *out.mutable_agent_spent() = SumAgentReports(run.agent_reports, run.attempt_ids);
  out.set_merge(MergeState(static_cast<int>(i)));
  out.set_output_dropped_bytes(run.facts().output_dropped_bytes);
  out.set_priority(static_cast<uint32_t>(ws.priority.value_or(10)));
  out.set_remaining_days(run_.plan->analysis.acyclic ? run_.plan->analysis.remaining_days_max[i] : 0);
}

SchedulerCounters PlanScheduler::counters() const {
  SchedulerCounters counters;
  counters.attempts_started = dispatcher_.attempts_started();
  return counters;
}

std::vector<const WorkstreamRow*> PlanScheduler::Rows() const {
  std::vector<const WorkstreamRow*> rows;
  rows.reserve(run_.runs.size());
  for (const WorkstreamRun& run : run_.runs) rows.push_back(&run.row);
  return rows;
}

PlanScheduler::Pace PlanScheduler::PaceSoFar() const {
  Pace pace;
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    const WorkstreamRow& row = run_.runs[i].row;
    if (!Ended(row.state) && run_.plan->analysis.acyclic) {
      pace.remaining_days = std::max(pace.remaining_days, run_.plan->analysis.remaining_days_max[i]);
    }
    if (row.state == v1::WORKSTREAM_STATE_SUCCEEDED && row.started_unix_ms > 0 &&
        row.finished_unix_ms >= row.started_unix_ms) {
      pace.estimated_days_done += run_.card(static_cast<int>(i)).duration.estimate.max;
      pace.seconds_done += static_cast<double>(row.finished_unix_ms - row.started_unix_ms) / 1000.0;
    }
  }
  return pace;
}

v1::PlanInfo PlanScheduler::Info() const {
  v1::PlanInfo info;
  info.set_plan_id(run_.row.plan_id);
  info.set_name(run_.row.name);
  info.set_created_unix_ms(run_.row.created_unix_ms);
  info.set_done(Done());
  info.set_workstreams(static_cast<uint32_t>(run_.runs.size()));
  bool succeeded = true;
  for (size_t i = 0; i < run_.runs.size(); ++i) {
    v1::WorkstreamState state = run_.runs[i].row.state;
    if (Ended(state)) info.set_ended(info.ended() + 1);
    if (state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_SKIPPED) {
      info.set_succeeded_count(info.succeeded_count() + 1);
    } else {
      succeeded = false;
    }
    if (state == v1::WORKSTREAM_STATE_FAILED || state == v1::WORKSTREAM_STATE_BLOCKED ||
        state == v1::WORKSTREAM_STATE_CANCELLED) {
      info.set_failed_count(info.failed_count() + 1);
    }
    if (state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING) {
      info.set_running(info.running() + 1);
    }
  }
  Pace pace = PaceSoFar();
  info.set_succeeded(info.done() && succeeded);
  info.set_remaining_days(info.done() ? 0 : pace.remaining_days);
  info.set_critical_path_seconds(info.remaining_days() * kSecondsPerEstimatedDay);
  double speed = pace.estimated_days_done > 0
                     ? pace.seconds_done / (pace.estimated_days_done * kSecondsPerEstimatedDay)
                     : 1.0;
  info.set_eta_seconds(info.critical_path_seconds() * speed);
  const PlanLimits& limits = share_.limits();
  info.set_share(limits.share);
  info.set_max_gpus(limits.max_gpus);
  info.set_max_workers(limits.max_workers);
  info.set_slots(share_.slots());
  info.set_gpus(share_.gpus());
  info.set_slot_seconds(share_.slot_seconds());
  info.set_gpu_seconds(share_.gpu_seconds());
  *info.mutable_agents_spent() = budget_.spent();
  return info;
}

RunView PlanScheduler::ViewOf(int index) const {
  const WorkstreamRun& run = run_.runs[index];
  auto current = run_.attempts.find(run.row.current_attempt);
  RunView view{run_.plan->workstreams[index],
               run.row,
               run.facts(),
               current == run_.attempts.end() ? nullptr : &current->second,
               MergeState(index),
               run.attempt_ids,
               {},
               {},
               {}};
  for (const std::string& attempt : run.attempt_ids) {
    view.log_paths.push_back(store_.LogPath(run_.row.plan_id, run.row.workstream_id, attempt));
  }
  auto neighbour = [&](int other) {
    const common::Workstream& card = run_.card(other);
    return RunView::Neighbour{card.id.ToString(), card.name, run_.runs[other].row.state, MergeState(other), {}};
  };
  for (int dependency : run_.plan->graph.dependencies[index]) view.dependencies.push_back(neighbour(dependency));
  for (int dependent : run_.plan->graph.dependents[index]) {
    RunView::Neighbour next = neighbour(dependent);
    for (int waits : run_.plan->graph.dependencies[dependent]) {
      v1::WorkstreamState state = run_.runs[waits].row.state;
      if (state != v1::WORKSTREAM_STATE_SUCCEEDED && state != v1::WORKSTREAM_STATE_SKIPPED) {
        next.waiting_for.push_back(run_.card(waits).id.ToString());
      }
    }
    view.dependents.push_back(std::move(next));
  }
  return view;
}

void PlanScheduler::AddWorkerDemand(std::map<std::string, launcher::Demand>& by_shape, common::SteadyTime now) const {
  run_.ready.ForEachReady([&](int index) {
    if (run_.runs[index].not_before > now) return;  // in its backoff
    launcher::WorkerShape shape = launcher::ShapeOf(run_.card(index));
    launcher::Demand& demand = by_shape[shape.Key()];
    demand.shape = shape;
    ++demand.workstreams;
  });
}

std::string PlanScheduler::MergeState(int index) const {
  const WorkstreamRun& run = run_.runs[index];
  if (!run.facts().merged_commit.empty()) return "merged " + run.facts().merged_commit.substr(0, 12);
  return run.gang.empty() ? "" : merge_.StateOf(run.gang.front());
}

}  // namespace wsfleet::coordinator
