#include "worker/worker_metrics.h"

#include "proto/enum_names.h"
#include "proto/log_chunk.h"
#include "telemetry/families.h"

namespace wsfleet::worker {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using telemetry::CounterFamily;
using telemetry::GaugeFamily;

}  // namespace

struct WorkerMetrics::Families {
  explicit Families(prometheus::Registry& r)
      : info(GaugeFamily(r, "wsfleet_worker_info", "1, labelled with the worker's ID and host")),
        connected(GaugeFamily(r, "wsfleet_worker_connected",
                              "1 while a coordinator has welcomed this worker's session")),
        slots(GaugeFamily(r, "wsfleet_worker_slots", "Attempts this worker runs at once")),
        running(GaugeFamily(r, "wsfleet_worker_attempts_running",
                            "Attempts running here or with events not yet acknowledged")),
        outbox_bytes(GaugeFamily(r, "wsfleet_worker_outbox_memory_bytes",
                                 "Unacknowledged events held in memory")),
        in_flight_bytes(GaugeFamily(r, "wsfleet_worker_in_flight_bytes",
                                    "Events sent and not yet acknowledged (the send window)")),
        spilled(CounterFamily(r, "wsfleet_worker_outbox_spilled_events_total",
                              "Events written to the spill file because memory was full")),
        attempts(CounterFamily(r, "wsfleet_worker_attempts_total",
                               "Attempts this worker finished, by result")),
        steps(CounterFamily(r, "wsfleet_worker_steps_total", "Steps this worker ran, by result")),
        log_bytes(CounterFamily(r, "wsfleet_worker_log_bytes_total",
                                "Output bytes steps wrote, by stream")),
        events_sent(CounterFamily(r, "wsfleet_worker_events_sent_total",
                                  "Events sent to the coordinator (resends included)")),
        events_acked(CounterFamily(r, "wsfleet_worker_events_acked_total",
                                   "Events the coordinator acknowledged as stored")),
        session_ends(CounterFamily(r, "wsfleet_worker_session_ends_total",
                                   "Sessions to the coordinator that ended (then reconnected)")),
        heartbeats(CounterFamily(r, "wsfleet_worker_heartbeats_sent_total", "Heartbeats sent")),
        lease_lapses(CounterFamily(r, "wsfleet_worker_lease_lapses_total",
                                   "Times this worker's lease lapsed (no renewal from the coordinator within "
                                   "a lease) and it stopped its running attempts (self-fencing)")),
        fenced_attempts(CounterFamily(r, "wsfleet_worker_fenced_attempts_total",
                                      "Running attempts this worker stopped because its lease lapsed")),
        gpu_utilization(GaugeFamily(r, "wsfleet_gpu_utilization_percent",
                                    "GPU busy time over the last sample period (DCGM_FI_DEV_GPU_UTIL)")),
        gpu_memory_used(GaugeFamily(r, "wsfleet_gpu_memory_used_bytes",
                                    "GPU memory in use (DCGM_FI_DEV_FB_USED, in bytes)")),
        gpu_memory_total(GaugeFamily(r, "wsfleet_gpu_memory_total_bytes",
                                     "GPU memory in all (DCGM_FI_DEV_FB_USED + FB_FREE, in bytes)")),
        gpu_power(GaugeFamily(r, "wsfleet_gpu_power_watts", "GPU power draw (DCGM_FI_DEV_POWER_USAGE)")),
        gpu_temperature(GaugeFamily(r, "wsfleet_gpu_temperature_celsius",
                                    "GPU temperature (DCGM_FI_DEV_GPU_TEMP)")),
        gpu_sm_clock(GaugeFamily(r, "wsfleet_gpu_sm_clock_hertz",
                                 "GPU SM clock (DCGM_FI_DEV_SM_CLOCK, in hertz)")) {}

  Family<Gauge>& info;
  Family<Gauge>& connected;
  Family<Gauge>& slots;
  Family<Gauge>& running;
  Family<Gauge>& outbox_bytes;
  Family<Gauge>& in_flight_bytes;
  Family<Counter>& spilled;
  Family<Counter>& attempts;
  Family<Counter>& steps;
  Family<Counter>& log_bytes;
  Family<Counter>& events_sent;
  Family<Counter>& events_acked;
  Family<Counter>& session_ends;
  Family<Counter>& heartbeats;
  Family<Counter>& lease_lapses;
  Family<Counter>& fenced_attempts;
  Family<Gauge>& gpu_utilization;
  Family<Gauge>& gpu_memory_used;
  Family<Gauge>& gpu_memory_total;
  Family<Gauge>& gpu_power;
  Family<Gauge>& gpu_temperature;
  Family<Gauge>& gpu_sm_clock;
  uint64_t spilled_seen = 0;
  std::vector<std::pair<Family<Gauge>*, Gauge*>> gpu_series;
};

WorkerMetrics::WorkerMetrics(prometheus::Registry& registry, const std::string& worker_id,
                             const std::string& hostname, uint32_t slots)
    : families_(std::make_unique<Families>(registry)), hostname_(hostname) {
  Families& f = *families_;
  f.info.Add({{"worker", worker_id}, {"Hostname", hostname}}).Set(1);
  f.slots.Add({}).Set(slots);
  for (auto* family : {&f.connected, &f.running, &f.outbox_bytes, &f.in_flight_bytes}) family->Add({});
  for (auto* family : {&f.spilled, &f.events_sent, &f.events_acked, &f.session_ends, &f.heartbeats,
                        &f.lease_lapses, &f.fenced_attempts}) {
    family->Add({});
  }
  for (const char* stream : {"stdout", "stderr"}) f.log_bytes.Add({{"stream", stream}});
}

WorkerMetrics::~WorkerMetrics() = default;

void WorkerMetrics::Refresh(const WorkerSnapshot& snapshot) {
  Families& f = *families_;
  f.connected.Add({}).Set(snapshot.connected ? 1 : 0);
  f.running.Add({}).Set(static_cast<double>(snapshot.attempts_running));
  f.outbox_bytes.Add({}).Set(static_cast<double>(snapshot.outbox_memory_bytes));
  f.in_flight_bytes.Add({}).Set(static_cast<double>(snapshot.in_flight_bytes));
  if (snapshot.outbox_spilled_events > f.spilled_seen) {
    f.spilled.Add({}).Increment(static_cast<double>(snapshot.outbox_spilled_events - f.spilled_seen));
    f.spilled_seen = snapshot.outbox_spilled_events;
  }
}

void WorkerMetrics::EventEmitted(const v1::Event& event) {
  Families& f = *families_;
  switch (event.kind_case()) {
    case v1::Event::kLog:
      f.log_bytes
          .Add({{"stream", rpc::StreamLabel(event.log().stream())}})
          .Increment(static_cast<double>(rpc::ChunkBytes(event.log())));
      break;
    case v1::Event::kStepFinished:
      f.steps.Add({{"result", rpc::StepResultLabel(event.step_finished())}}).Increment();
      break;
    case v1::Event::kFinished:
      f.attempts.Add({{"result", rpc::OutcomeLabel(event.finished().outcome())}}).Increment();
      break;
    default:
      break;
  }
}

void WorkerMetrics::EventsSent(size_t count) {
  families_->events_sent.Add({}).Increment(static_cast<double>(count));
}
void WorkerMetrics::EventsAcked(size_t count) {
  families_->events_acked.Add({}).Increment(static_cast<double>(count));
}
void WorkerMetrics::SessionEnded() { families_->session_ends.Add({}).Increment(); }
void WorkerMetrics::HeartbeatSent() { families_->heartbeats.Add({}).Increment(); }
void WorkerMetrics::LeaseLapsed(size_t fenced_attempts) {
  families_->lease_lapses.Add({}).Increment();
  families_->fenced_attempts.Add({}).Increment(static_cast<double>(fenced_attempts));
}

void WorkerMetrics::SetGpus(const std::vector<gpu::GpuReading>& gpus) {
  Families& f = *families_;
  for (auto [family, gauge] : f.gpu_series) family->Remove(gauge);
  f.gpu_series.clear();
  for (const gpu::GpuReading& gpu : gpus) {
    prometheus::Labels labels = {{"gpu", std::to_string(gpu.index)},
                                 {"UUID", gpu.uuid},
                                 {"modelName", gpu.name},
                                 {"Hostname", hostname_}};
    auto set = [&](Family<Gauge>& family, const std::optional<double>& value) {
      if (!value) return;  // not supported on this device: no series rather than a false 0
      Gauge& gauge = family.Add(labels);
      gauge.Set(*value);
      f.gpu_series.emplace_back(&family, &gauge);
    };
    set(f.gpu_utilization, gpu.utilization_percent);
    set(f.gpu_memory_used, gpu.memory_used_bytes);
    set(f.gpu_memory_total, gpu.memory_total_bytes);
    set(f.gpu_power, gpu.power_watts);
    set(f.gpu_temperature, gpu.temperature_celsius);
    set(f.gpu_sm_clock, gpu.sm_clock_hertz);
  }
}

}  // namespace wsfleet::worker
