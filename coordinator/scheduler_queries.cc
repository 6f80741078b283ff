// Read-only views of the scheduler's state for the control API, summaries and metrics.

#include <algorithm>

#include "coordinator/scheduler.h"

#include "coordinator/agent_spend.h"

namespace wsfleet::coordinator {

v1::RunStatus Scheduler::Status() const {
  v1::RunStatus status;
  status.set_state_dir(options_.state_dir);
  status.set_metrics_url(options_.metrics_url);
  if (std::optional<StateStore::Hold> hold = store_.held()) {
    status.mutable_store_held()->set_reason(hold->reason);
    status.mutable_store_held()->set_since_unix_ms(hold->since_unix_ms);
    status.mutable_store_held()->set_writes(static_cast<uint32_t>(hold->writes));
  }
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
    const common::Workstream& ws = run_.plan->workstreams[i];
    const WorkstreamRun& run = run_.runs[i];
    v1::WorkstreamStatus& out = *status.add_workstreams();
    out.set_id(ws.id.ToString());
    out.set_name(ws.name);
    out.set_state(run.row.state);
    out.set_attempts(static_cast<uint32_t>(run.row.attempts));
    out.set_worker_id(run.row.worker_id);
    if (run.row.state == v1::WORKSTREAM_STATE_READY) {
      out.set_message(!run.row.message.empty() ? run.row.message
                      : !run.waiting.empty()   ? run.waiting
                                               : dispatcher_.WhyWaiting(static_cast<int>(i), &waiting));
    } else if (run.row.state == v1::WORKSTREAM_STATE_ASSIGNED && run.queued_since) {
      out.set_message("queued on " + run.row.worker_id + " until one of its slots frees");
    } else {
      out.set_message(run.row.message);
    }
    out.set_started_unix_ms(run.row.started_unix_ms);
    out.set_finished_unix_ms(run.row.finished_unix_ms);
    *out.mutable_tests() = run.facts.tests;
    if (run.facts.agent) *out.mutable_agent() = *run.facts.agent;
    if (!run.agent_reports.empty()) *out.mutable_agent_spent() = SumAgentReports(run.agent_reports, run.attempt_ids);
    out.set_merge(MergeState(static_cast<int>(i)));
    out.set_output_dropped_bytes(run.facts.output_dropped_bytes);
    out.set_priority(static_cast<uint32_t>(ws.priority.value_or(10)));
    out.set_remaining_days(run_.plan->analysis.acyclic ? run_.plan->analysis.remaining_days_max[i] : 0);
    if (run.row.state != v1::WORKSTREAM_STATE_SUCCEEDED &&
        run.row.state != v1::WORKSTREAM_STATE_SKIPPED) {
      succeeded = false;
    }
  }
  status.set_done(Done());
  status.set_succeeded(status.done() && succeeded);
  return status;
}

v1::ListWorkersResponse Scheduler::Workers() const { return workers_.List(); }

SchedulerCounters Scheduler::counters() const {
  SchedulerCounters counters;
  counters.leases_expired = leases_expired_;
  counters.attempts_started = dispatcher_.attempts_started();
  counters.events_stored = intake_.counters().admitted;
  counters.events_duplicate = intake_.counters().duplicate;
  counters.events_stale_rejected = intake_.counters().rejected;
  counters.events_invalid = intake_.counters().invalid;
  counters.hellos_invalid = hellos_invalid_;
  counters.workers_refused = workers_refused_;
  counters.store_write_failures = store_.failed_writes();
  std::optional<StateStore::Hold> hold = store_.held();
  counters.store_held_writes = hold ? hold->writes : 0;
  return counters;
}

RunView Scheduler::ViewOf(int index) const {
  const WorkstreamRun& run = run_.runs[index];
  auto current = run_.attempts.find(run.row.current_attempt);
  RunView view{run_.plan->workstreams[index],
               run.row,
               run.facts,
               current == run_.attempts.end() ? nullptr : &current->second,
               MergeState(index),
               run.attempt_ids,
               {},
               {},
               {}};
  for (const std::string& attempt : run.attempt_ids) {
    view.log_paths.push_back(store_.LogPath(run.row.workstream_id, attempt));
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

std::string Scheduler::MergeState(int index) const {
  const WorkstreamRun& run = run_.runs[index];
  if (!run.facts.merged_commit.empty()) return "merged " + run.facts.merged_commit.substr(0, 12);
  return run.gang.empty() ? "" : merge_.StateOf(run.gang.front());
}

}  // namespace wsfleet::coordinator
