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

#include "coordinator/run_reader.h"
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

  void Refresh(const RunReader& run, const common::Clock& clock, common::Nanos loop_lag);
  void StoreOperation(const char* operation, double seconds);

  void PlanSubmitted() override;
  void EventStored(const std::string& workstream_id, const v1::Event& event) override;
  void AttemptStarted(common::Nanos latency) override;
  void AttemptEnded(v1::AttemptOutcome outcome) override;
  void WorkstreamEnded(v1::WorkstreamState state, common::Nanos ran) override;

 private:
  void RefreshPlan(const RunReader& run);
  void RefreshWorkers(const RunReader& run, const common::Clock& clock);
  void RefreshCounters(const SchedulerCounters& counters);
  void SwitchPlan(const std::string& plan);
  void AgentSeries(const std::string& agent);
  void AgentReported(const std::string& attempt_id, const v1::AgentReport& report);
  // A series of the current plan, remembered so that SwitchPlan removes it.
  prometheus::Gauge& PlanGauge(prometheus::Family<prometheus::Gauge>& family,
                               const prometheus::Labels& labels);

  CoordinatorMetricsOptions options_;
  struct Families;
  std::unique_ptr<Families> families_;
  std::string plan_;  // the plan whose series are exported now
  std::set<std::pair<prometheus::Family<prometheus::Gauge>*, prometheus::Gauge*>> plan_series_;
  SchedulerCounters last_counters_;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> step_metrics_;
  std::map<std::string, prometheus::Gauge*> heartbeat_ages_;
  // Each running attempt's last agent report, to count what grew; gone when it ends.
  std::map<std::string, v1::AgentReport> last_agent_reports_;
};

}  // namespace wsfleet::coordinator
