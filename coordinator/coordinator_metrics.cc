#include "coordinator/coordinator_metrics.h"

#include <algorithm>

#include "proto/enum_names.h"
#include "proto/log_chunk.h"
#include "telemetry/families.h"

namespace wsfleet::coordinator {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;
using telemetry::CounterFamily;
using telemetry::GaugeFamily;
using telemetry::HistogramFamily;

// A working day of a card's estimate (common::Duration: 1 day = 8 hours).

double Seconds(common::Nanos nanos) { return std::chrono::duration<double>(nanos).count(); }

const Histogram::BucketBoundaries kRunBuckets = {1,    5,    15,   30,    60,    120,  300,
                                                 600,  1800, 3600, 7200, 14400, 28800, 86400};
const Histogram::BucketBoundaries kStepBuckets = {0.01, 0.05, 0.1, 0.5, 1,   5,    10,
                                                  30,   60,   300, 900, 3600, 14400};
const Histogram::BucketBoundaries kLatencyBuckets = {0.001, 0.002, 0.005, 0.01, 0.02,
                                                     0.05,  0.1,   0.25,  0.5,  1,
                                                     2.5,   5,     10,    30};
const Histogram::BucketBoundaries kCommitBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                    0.005,  0.01,    0.025,  0.05,  0.1,
                                                    0.25,   0.5,     1};

}  // namespace

struct CoordinatorMetrics::Families {
  explicit Families(prometheus::Registry& r)
      : workstreams(GaugeFamily(r, "wsfleet_workstreams", "Workstreams of each plan held, by state")),
        plan_info(GaugeFamily(r, "wsfleet_plan_info", "1 for each plan the coordinator holds, with its ID")),
        plan_share(GaugeFamily(r, "wsfleet_plan_share", "Each plan's weight in the fair share of the fleet (--share)")),
        plan_slots(GaugeFamily(r, "wsfleet_plan_slots_held", "Slots each plan's attempts hold now")),
        plan_gpus(GaugeFamily(r, "wsfleet_plan_gpus_held", "GPUs each plan's attempts hold now")),
        plan_slot_seconds(GaugeFamily(r, "wsfleet_plan_slot_seconds",
                                      "Slot-seconds each plan's attempts held since it was submitted (or the "
                                      "coordinator started)")),
        progress(GaugeFamily(r, "wsfleet_plan_progress_ratio",
                             "Fraction of the plan's workstreams that have ended (any end state)")),
        critical_path(GaugeFamily(r, "wsfleet_plan_critical_path_remaining_seconds",
                                  "Longest chain of unfinished workstreams by the cards' maximum "
                                  "estimates (1 day = 8 working hours)")),
        eta(GaugeFamily(r, "wsfleet_plan_eta_seconds",
                        "Remaining critical path scaled by the observed speed of the workstreams "
                        "that succeeded (actual / estimated); the estimate itself until one has")),
        queue_depth(GaugeFamily(r, "wsfleet_queue_depth",
                                "Ready workstreams waiting for a worker or a backoff")),
        workers(GaugeFamily(r, "wsfleet_workers", "Workers known to the coordinator, by state")),
        heartbeat_age(GaugeFamily(r, "wsfleet_heartbeat_age_seconds",
                                  "Time since each live worker's last heartbeat")),
        slots(GaugeFamily(r, "wsfleet_slots", "Each live worker's slots, busy or free")),
        gpus(GaugeFamily(r, "wsfleet_gpus", "GPUs each live worker advertises")),
        loop_lag(GaugeFamily(r, "wsfleet_event_loop_lag_seconds",
                             "How long the last batch of posted work waited for the loop thread")),
        step_metric(GaugeFamily(r, "wsfleet_step_metric",
                                "Last value of each METRIC a workstream's steps reported")),
        attempts(CounterFamily(r, "wsfleet_attempts_total", "Attempts that ended, by result")),
        attempts_started(CounterFamily(r, "wsfleet_attempts_started_total", "Attempts assigned to workers")),
        events_stored(CounterFamily(r, "wsfleet_events_stored_total",
                                    "Worker events stored (then acknowledged)")),
        events_duplicate(CounterFamily(r, "wsfleet_events_duplicate_total",
                                       "Resent worker events dropped as already stored")),
        events_stale(CounterFamily(r, "wsfleet_events_stale_rejected_total",
                                   "Events rejected because their attempt is no longer current (fencing)")),
        input_refused(CounterFamily(r, "wsfleet_input_refused_total",
                                    "Hellos and events refused as malformed or past a size limit, by what")),
        workers_refused(CounterFamily(r, "wsfleet_workers_refused_total",
                                      "Worker sessions refused (a wrong join token, a certificate of another worker)")),
        store_write_failures(CounterFamily(r, "wsfleet_store_write_failures_total",
                                           "State store writes refused for want of space (a full disk), retries "
                                           "included")),
        store_held_writes(GaugeFamily(r, "wsfleet_store_held_writes",
                                      "Writes held until the state directory has space again (0: none; above 0, "
                                      "acknowledgements and new assignments wait)")),
        leases_expired(CounterFamily(r, "wsfleet_leases_expired_total",
                                     "Worker leases that expired (the worker was lost)")),
        log_bytes(CounterFamily(r, "wsfleet_log_bytes_total", "Step output bytes received and stored")),
        tests(CounterFamily(r, "wsfleet_tests_total", "Test cases reported by steps, by result")),
        step_metric_dropped(CounterFamily(r, "wsfleet_step_metric_series_dropped_total",
                                          "Step metric values not exported: the series limit was reached")),
        workstream_seconds(HistogramFamily(r, "wsfleet_workstream_duration_seconds",
                                           "How long workstreams ran, from start to end, by end state")),
        step_seconds(HistogramFamily(r, "wsfleet_step_duration_seconds", "How long steps ran, by result")),
        dispatch_seconds(HistogramFamily(r, "wsfleet_dispatch_latency_seconds",
                                         "From a workstream being ready to run to its attempt running")),
        commit_seconds(HistogramFamily(r, "wsfleet_store_commit_seconds",
                                       "State store operations (one transaction each), by operation")),
        agent_tokens(CounterFamily(r, "wsfleet_agent_tokens_total",
                                   "Tokens coding agents reported, by agent type, plan and kind")),
        agent_cost(CounterFamily(r, "wsfleet_agent_cost_dollars_total",
                                 "What coding agents reported spending, by agent type and plan")),
        agent_turns(CounterFamily(r, "wsfleet_agent_turns_total",
                                  "Model turns coding agents took, by agent type and plan")),
        agent_tool_calls(CounterFamily(r, "wsfleet_agent_tool_calls_total",
                                       "Tool calls coding agents made, by agent type and plan")),
        agent_stops(CounterFamily(r, "wsfleet_agent_stops_total",
                                  "Agents stopped by wsfleet, by reason (budget, stalled)")),
        agent_seconds(CounterFamily(r, "wsfleet_agent_seconds_total",
                                    "How long coding agents ran, by agent type and plan")),
        merge_queue(GaugeFamily(r, "wsfleet_merge_queue_length",
                                "Attempts waiting to merge into their plan's integration branch, or merging")),
        merges(CounterFamily(r, "wsfleet_merges_total",
                             "Merges into the integration branch, by result (merged, conflict, tests_failed)")) {}

  Family<Gauge>& workstreams;
  Family<Gauge>& plan_info;
  Family<Gauge>& plan_share;
  Family<Gauge>& plan_slots;
  Family<Gauge>& plan_gpus;
  Family<Gauge>& plan_slot_seconds;
  Family<Gauge>& progress;
  Family<Gauge>& critical_path;
  Family<Gauge>& eta;
  Family<Gauge>& queue_depth;
  Family<Gauge>& workers;
  Family<Gauge>& heartbeat_age;
  Family<Gauge>& slots;
  Family<Gauge>& gpus;
  Family<Gauge>& loop_lag;
  Family<Gauge>& step_metric;
  Family<Counter>& attempts;
  Family<Counter>& attempts_started;
  Family<Counter>& events_stored;
  Family<Counter>& events_duplicate;
  Family<Counter>& events_stale;
  Family<Counter>& input_refused;
  Family<Counter>& workers_refused;
  Family<Counter>& store_write_failures;
  Family<Gauge>& store_held_writes;
  Family<Counter>& leases_expired;
  Family<Counter>& log_bytes;
  Family<Counter>& tests;
  Family<Counter>& step_metric_dropped;
  Family<Histogram>& workstream_seconds;
  Family<Histogram>& step_seconds;
  Family<Histogram>& dispatch_seconds;
  Family<Histogram>& commit_seconds;
  Family<Counter>& agent_tokens;
  Family<Counter>& agent_cost;
  Family<Counter>& agent_turns;
  Family<Counter>& agent_tool_calls;
  Family<Counter>& agent_stops;
  Family<Counter>& agent_seconds;
  Family<Gauge>& merge_queue;
  Family<Counter>& merges;
};

CoordinatorMetrics::CoordinatorMetrics(prometheus::Registry& registry,
                                       CoordinatorMetricsOptions options)
    : options_(options), families_(std::make_unique<Families>(registry)) {
  Families& f = *families_;
  // Series that exist from the start, so rates and alerts see zero rather than nothing.
  for (const char* stream : {"stdout", "stderr"}) f.log_bytes.Add({{"stream", stream}});
  for (const char* result : {"passed", "failed", "skipped"}) f.tests.Add({{"result", result}});
  for (auto outcome : {v1::ATTEMPT_OUTCOME_SUCCEEDED, v1::ATTEMPT_OUTCOME_FAILED,
                       v1::ATTEMPT_OUTCOME_CANCELLED, v1::ATTEMPT_OUTCOME_TIMED_OUT,
                       v1::ATTEMPT_OUTCOME_LOST, v1::ATTEMPT_OUTCOME_REVOKED,
                       v1::ATTEMPT_OUTCOME_HANDED_BACK}) {
    f.attempts.Add({{"result", rpc::OutcomeLabel(outcome)}});
  }
  f.attempts_started.Add({});
  f.events_stored.Add({});
  f.events_duplicate.Add({});
  f.events_stale.Add({});
  for (const char* what : {"hello", "event"}) f.input_refused.Add({{"what", what}});
  f.leases_expired.Add({});
  f.workers_refused.Add({});
  f.store_write_failures.Add({});
  f.store_held_writes.Add({});
  f.step_metric_dropped.Add({});
  f.queue_depth.Add({});
  f.loop_lag.Add({});
  f.dispatch_seconds.Add({}, kLatencyBuckets);
  for (const char* reason : {"budget", "stalled"}) f.agent_stops.Add({{"reason", reason}});
  for (const char* result : {"merged", "conflict", "tests_failed"}) f.merges.Add({{"result", result}});
  f.merge_queue.Add({});
}

CoordinatorMetrics::~CoordinatorMetrics() = default;

void CoordinatorMetrics::Refresh(const Scheduler& scheduler, const common::Clock& clock,
                                 common::Nanos loop_lag) {
  families_->loop_lag.Add({}).Set(Seconds(loop_lag));
  families_->merge_queue.Add({}).Set(static_cast<double>(scheduler.merge_queue_length()));
  RefreshCounters(scheduler.counters());
  std::set<std::string> held;
  int ready = 0;
  for (const PlanScheduler* plan : scheduler.plans()) {
    held.insert(plan->plan_row().name);
    ready += RefreshPlan(*plan);
  }
  families_->queue_depth.Add({}).Set(ready);
  ForgetPlansNotHeld(held);
  RefreshWorkers(scheduler, clock);
}

void CoordinatorMetrics::ForgetPlansNotHeld(const std::set<std::string>& held) {
  // A retired plan's series go: label values stay bounded by the plans held.
  for (auto it = plan_series_.begin(); it != plan_series_.end();) {
    if (held.count(it->first)) {
      ++it;
      continue;
    }
    for (auto [family, gauge] : it->second) family->Remove(gauge);
    it = plan_series_.erase(it);
  }
  for (auto it = step_metrics_.begin(); it != step_metrics_.end();) {
    if (held.count(std::get<0>(it->first))) {
      ++it;
      continue;
    }
    families_->step_metric.Remove(it->second);
    it = step_metrics_.erase(it);
  }
}

void CoordinatorMetrics::RefreshCounters(const SchedulerCounters& counters) {
  Families& f = *families_;
  auto add = [](Family<Counter>& family, uint64_t now, uint64_t before) {
    if (now > before) family.Add({}).Increment(static_cast<double>(now - before));
  };
  add(f.events_stored, counters.events_stored, last_counters_.events_stored);
  add(f.events_duplicate, counters.events_duplicate, last_counters_.events_duplicate);
  add(f.events_stale, counters.events_stale_rejected, last_counters_.events_stale_rejected);
  add(f.leases_expired, counters.leases_expired, last_counters_.leases_expired);
  add(f.workers_refused, counters.workers_refused, last_counters_.workers_refused);
  add(f.store_write_failures, counters.store_write_failures, last_counters_.store_write_failures);
  f.store_held_writes.Add({}).Set(static_cast<double>(counters.store_held_writes));
  if (counters.events_invalid > last_counters_.events_invalid) {
    f.input_refused.Add({{"what", "event"}}).Increment(static_cast<double>(counters.events_invalid - last_counters_.events_invalid));
  }
  if (counters.hellos_invalid > last_counters_.hellos_invalid) {
    f.input_refused.Add({{"what", "hello"}}).Increment(static_cast<double>(counters.hellos_invalid - last_counters_.hellos_invalid));
  }
  add(f.attempts_started, counters.attempts_started, last_counters_.attempts_started);
  last_counters_ = counters;
}

void CoordinatorMetrics::AgentSeries(const std::string& plan, const std::string& agent) {
  Families& f = *families_;
  for (const char* kind : {"input", "cached_input", "output"}) {
    f.agent_tokens.Add({{"agent", agent}, {"plan", plan}, {"kind", kind}});
  }
  f.agent_cost.Add({{"agent", agent}, {"plan", plan}});
  f.agent_turns.Add({{"agent", agent}, {"plan", plan}});
  f.agent_tool_calls.Add({{"agent", agent}, {"plan", plan}});
  f.agent_seconds.Add({{"agent", agent}, {"plan", plan}});
}

void CoordinatorMetrics::AgentReported(const std::string& plan, const std::string& attempt_id,
                                       const v1::AgentReport& report) {
  // Reports carry totals; the counters take what grew since the attempt's last report
  // (a closing summary may restate a total lower: counters never go down).
  v1::AgentReport& last = last_agent_reports_[attempt_id];
  auto grew = [](double now, double before) { return now > before ? now - before : 0.0; };
  Families& f = *families_;
  const std::string& agent = report.agent_type();
  f.agent_tokens.Add({{"agent", agent}, {"plan", plan}, {"kind", "input"}})
      .Increment(grew(static_cast<double>(report.input_tokens()), static_cast<double>(last.input_tokens())));
  f.agent_tokens.Add({{"agent", agent}, {"plan", plan}, {"kind", "cached_input"}})
      .Increment(grew(static_cast<double>(report.cached_input_tokens()),
                      static_cast<double>(last.cached_input_tokens())));
  f.agent_tokens.Add({{"agent", agent}, {"plan", plan}, {"kind", "output"}})
      .Increment(grew(static_cast<double>(report.output_tokens()), static_cast<double>(last.output_tokens())));
  f.agent_cost.Add({{"agent", agent}, {"plan", plan}}).Increment(grew(report.cost_usd(), last.cost_usd()));
  f.agent_turns.Add({{"agent", agent}, {"plan", plan}})
      .Increment(grew(static_cast<double>(report.turns()), static_cast<double>(last.turns())));
  f.agent_tool_calls.Add({{"agent", agent}, {"plan", plan}})
      .Increment(grew(static_cast<double>(report.tool_calls()), static_cast<double>(last.tool_calls())));
  f.agent_seconds.Add({{"agent", agent}, {"plan", plan}}).Increment(grew(report.wall_seconds(), last.wall_seconds()));
  last = report;
}

prometheus::Gauge& CoordinatorMetrics::PlanGauge(const std::string& plan, prometheus::Family<prometheus::Gauge>& family,
                                                 const prometheus::Labels& labels) {
  prometheus::Gauge& gauge = family.Add(labels);
  auto [series, first] = plan_series_.try_emplace(plan);
  // The shipped agent types' series exist from the start of each plan (counters stay).
  if (first) {
    for (const char* agent : {"claude", "codex", "opencode"}) AgentSeries(plan, agent);
  }
  series->second.insert({&family, &gauge});
  return gauge;
}

int CoordinatorMetrics::RefreshPlan(const PlanScheduler& run) {
  Families& f = *families_;
  if (!run.has_plan()) return 0;
  const std::string& plan = run.plan_row().name;
  v1::PlanInfo info = run.Info();
  std::map<v1::WorkstreamState, int> by_state;
  for (const WorkstreamRow* row : run.Rows()) ++by_state[row->state];
  for (int state = v1::WORKSTREAM_STATE_PENDING; state <= v1::WorkstreamState_MAX; ++state) {
    auto value = static_cast<v1::WorkstreamState>(state);
    PlanGauge(plan, f.workstreams, {{"plan", plan}, {"state", rpc::StateLabel(value)}}).Set(by_state[value]);
  }
  PlanGauge(plan, f.plan_info, {{"plan", plan}, {"plan_id", run.plan_row().plan_id}}).Set(1);
  PlanGauge(plan, f.progress, {{"plan", plan}})
      .Set(info.workstreams() == 0 ? 1.0 : static_cast<double>(info.ended()) / info.workstreams());
  PlanGauge(plan, f.critical_path, {{"plan", plan}}).Set(info.critical_path_seconds());
  PlanGauge(plan, f.eta, {{"plan", plan}}).Set(info.eta_seconds());
  PlanGauge(plan, f.plan_share, {{"plan", plan}}).Set(info.share());
  PlanGauge(plan, f.plan_slots, {{"plan", plan}}).Set(info.slots());
  PlanGauge(plan, f.plan_gpus, {{"plan", plan}}).Set(info.gpus());
  PlanGauge(plan, f.plan_slot_seconds, {{"plan", plan}}).Set(info.slot_seconds());
  return by_state[v1::WORKSTREAM_STATE_READY];
}

void CoordinatorMetrics::RefreshWorkers(const Scheduler& run, const common::Clock& clock) {
  Families& f = *families_;
  v1::ListWorkersResponse workers = run.Workers();
  std::map<std::string, int> by_state = {
      {"connected", 0}, {"draining", 0}, {"disconnected", 0}, {"lost", 0}};
  std::map<std::string, prometheus::Gauge*> live;
  int64_t now_ms = common::ToUnixMillis(clock.WallNow());
  for (const v1::WorkerInfo& worker : workers.workers()) {
    ++by_state[worker.state()];
    const std::string& id = worker.worker_id();
    if (worker.state() == "lost") continue;
    auto& age = f.heartbeat_age.Add({{"worker", id}});
    age.Set(static_cast<double>(std::max<int64_t>(0, now_ms - worker.last_heartbeat_unix_ms())) / 1000.0);
    live[id] = &age;
    uint32_t slots = worker.resources().slots();
    uint32_t busy = std::min(slots, worker.running_attempts());
    f.slots.Add({{"worker", id}, {"state", "busy"}}).Set(busy);
    f.slots.Add({{"worker", id}, {"state", "free"}}).Set(slots - busy);
    f.gpus.Add({{"worker", id}}).Set(worker.resources().gpus_size());
  }
  for (const auto& [state, count] : by_state) f.workers.Add({{"state", state}}).Set(count);
  // A worker that was lost or forgotten: its series go (the lost count says it happened).
  for (const auto& [id, gauge] : heartbeat_ages_) {
    if (live.count(id) != 0) continue;
    f.heartbeat_age.Remove(gauge);
    for (const char* state : {"busy", "free"}) {
      if (f.slots.Has({{"worker", id}, {"state", state}})) {
        f.slots.Remove(&f.slots.Add({{"worker", id}, {"state", state}}));
      }
    }
    if (f.gpus.Has({{"worker", id}})) f.gpus.Remove(&f.gpus.Add({{"worker", id}}));
  }
  heartbeat_ages_ = std::move(live);
}

void CoordinatorMetrics::StoreOperation(const char* operation, double seconds) {
  families_->commit_seconds.Add({{"operation", operation}}, kCommitBuckets).Observe(seconds);
}

void CoordinatorMetrics::EventStored(const std::string& plan, const std::string& workstream_id,
                                     const v1::Event& event) {
  Families& f = *families_;
  switch (event.kind_case()) {
    case v1::Event::kLog:
      f.log_bytes
          .Add({{"stream", rpc::StreamLabel(event.log().stream())}})
          .Increment(static_cast<double>(rpc::ChunkBytes(event.log())));
      break;
    case v1::Event::kStepFinished:
      f.step_seconds.Add({{"result", rpc::StepResultLabel(event.step_finished())}}, kStepBuckets)
          .Observe(static_cast<double>(event.step_finished().duration_ms()) / 1000.0);
      break;
    case v1::Event::kTest: {
      v1::TestStatus status = event.test().status();
      const char* result = status == v1::TEST_STATUS_PASSED    ? "passed"
                           : status == v1::TEST_STATUS_SKIPPED ? "skipped"
                                                               : "failed";
      f.tests.Add({{"result", result}}).Increment();
      break;
    }
    case v1::Event::kTestSummary:
      f.tests.Add({{"result", "passed"}}).Increment(event.test_summary().passed());
      f.tests.Add({{"result", "failed"}}).Increment(event.test_summary().failed());
      f.tests.Add({{"result", "skipped"}}).Increment(event.test_summary().skipped());
      break;
    case v1::Event::kAgent:
      AgentReported(plan, event.attempt_id(), event.agent());
      break;
    case v1::Event::kFinished:
      last_agent_reports_.erase(event.attempt_id());
      if (event.finished().budget_stop()) f.agent_stops.Add({{"reason", "budget"}}).Increment();
      if (event.finished().agent_stalled()) f.agent_stops.Add({{"reason", "stalled"}}).Increment();
      if (!event.finished().merge().empty()) f.merges.Add({{"result", event.finished().merge()}}).Increment();
      break;
    case v1::Event::kMetric: {
      auto key = std::make_tuple(plan, workstream_id, event.metric().name());
      auto found = step_metrics_.find(key);
      if (found == step_metrics_.end()) {
        if (step_metrics_.size() >= options_.max_step_metric_series) {
          f.step_metric_dropped.Add({}).Increment();
          break;
        }
        found = step_metrics_
                    .emplace(key, &f.step_metric.Add({{"plan", plan},
                                                      {"workstream", workstream_id},
                                                      {"name", event.metric().name()}}))
                    .first;
      }
      found->second->Set(event.metric().value());
      break;
    }
    default:
      break;
  }
}

void CoordinatorMetrics::AttemptStarted(common::Nanos latency) {
  families_->dispatch_seconds.Add({}, kLatencyBuckets).Observe(Seconds(latency));
}

void CoordinatorMetrics::AttemptEnded(v1::AttemptOutcome outcome) {
  families_->attempts.Add({{"result", rpc::OutcomeLabel(outcome)}}).Increment();
}

void CoordinatorMetrics::WorkstreamEnded(v1::WorkstreamState state, common::Nanos ran) {
  if (ran <= common::Nanos{0}) return;  // never ran: blocked, skipped, cancelled while waiting
  families_->workstream_seconds.Add({{"state", rpc::StateLabel(state)}}, kRunBuckets)
      .Observe(Seconds(ran));
}

}  // namespace wsfleet::coordinator
