#pragma once

#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "gpu/telemetry.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// What the worker's loop sees now, copied into gauges before a scrape.
struct WorkerSnapshot {
  bool connected = false;  // welcomed by a coordinator
  size_t attempts_running = 0;
  size_t outbox_memory_bytes = 0;
  uint64_t outbox_spilled_events = 0;
  size_t in_flight_bytes = 0;
};

// A worker process's own Prometheus metrics (wsfleet_worker_*; docs/metrics.md lists them):
// its session, the attempts and steps it ran, the output they produced, its outbox.
// Loop thread only, but for the registry's collection.
class WorkerMetrics {
 public:
  WorkerMetrics(prometheus::Registry& registry, const std::string& worker_id,
                const std::string& hostname, uint32_t slots);
  ~WorkerMetrics();

  void Refresh(const WorkerSnapshot& snapshot);
  void EventEmitted(const v1::Event& event);  // by one of this worker's attempts
  void EventsSent(size_t count);
  void EventsAcked(size_t count);
  void SessionEnded();
  void HeartbeatSent();
  // The lease lapsed and the worker stopped `fenced_attempts` running attempts.
  void LeaseLapsed(size_t fenced_attempts);
  // The per-GPU gauges (wsfleet_gpu_*, labelled gpu, UUID, modelName, Hostname as
  // dcgm-exporter does), replaced by these readings; without readings there are none, and
  // a value a device does not report has no series rather than a false 0.
  void SetGpus(const std::vector<gpu::GpuReading>& gpus);

 private:
  struct Families;
  std::unique_ptr<Families> families_;
  std::string hostname_;
};

}  // namespace wsfleet::worker
