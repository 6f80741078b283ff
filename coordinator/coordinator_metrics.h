#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <tuple>

#include "coordinator/scheduler.h"
#include "coordinator/scheduler_observer.h"

namespace wsfleet::coordinator {

struct CoordinatorMetricsOptions {
  // wsfleet_step_metric series kept at most (workstream x name); the rest are counted in
  // wsfleet_step_metric_series_dropped_total, so a chatty step cannot blow up Prometheus.
  size_t max_step_metric_series = 1000;
};

// The coordinator's Prometheus metrics (docs/metrics.md lists them). Observations arrive
// through SchedulerObserver as things happen; gauges are set by Refresh() from the
// scheduler's state just before each scrape. Everything but the registry's collection runs
// on the loop thread.
class CoordinatorMetrics : public SchedulerObserver {
 public:
  CoordinatorMetrics(prometheus::Registry& registry, CoordinatorMetricsOptions options);
  ~CoordinatorMetrics() override;

  // Every plan the scheduler holds (a retired plan's series go), the fleet, the counters.
  void Refresh(const Scheduler& scheduler, const common::Clock& clock, common::Nanos loop_lag);
  void StoreOperation(const char* operation, double seconds);

  void EventStored(const std::string& plan, const std::string& workstream_id, const v1::Event& event) override;
  void AttemptStarted(common::Nanos latency) override;
  void AttemptEnded(v1::AttemptOutcome outcome) override;
  void WorkstreamEnded(v1::WorkstreamState state, common::Nanos ran) override;

 private:
  // Its gauges; gives how many of its workstreams are ready.
  int RefreshPlan(const PlanScheduler& run);
  void RefreshWorkers(const Scheduler& run, const common::Clock& clock);
  void RefreshCounters(const SchedulerCounters& counters);
  void ForgetPlansNotHeld(const std::set<std::string>& held);
  void AgentSeries(const std::string& plan, const std::string& agent);
  void AgentReported(const std::string& plan, const std::string& attempt_id, const v1::AgentReport& report);
  // A series of `plan`, remembered so that it goes when the plan is retired.
  prometheus::Gauge& PlanGauge(const std::string& plan, prometheus::Family<prometheus::Gauge>& family,
                               const prometheus::Labels& labels);

  CoordinatorMetricsOptions options_;
  struct Families;
  std::unique_ptr<Families> families_;
  // By plan name: its gauges.
  std::map<std::string, std::set<std::pair<prometheus::Family<prometheus::Gauge>*, prometheus::Gauge*>>> plan_series_;
  SchedulerCounters last_counters_;
  std::map<std::tuple<std::string, std::string, std::string>, prometheus::Gauge*> step_metrics_;  // (plan, ws, name)
  std::map<std::string, prometheus::Gauge*> heartbeat_ages_;
  // Each running attempt's last agent report, to count what grew; gone when it ends.
  std::map<std::string, v1::AgentReport> last_agent_reports_;
};

}  // namespace wsfleet::coordinator
