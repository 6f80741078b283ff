#include "worker/worker_metrics.h"

#include <gtest/gtest.h>

#include "tests/support/metric_reader.h"

namespace wsfleet::worker {
namespace {

using testing::MetricValue;

TEST(WorkerMetricsTest, CountsWhatItsAttemptsEmitAndMirrorsTheLoopState) {
  prometheus::Registry registry;
  WorkerMetrics metrics(registry, "w1", "node-a", 4);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_info", {{"worker", "w1"}, {"Hostname", "node-a"}}), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_slots"), 4);
  v1::Event log;
  log.mutable_log()->set_stream(v1::LogChunk::STREAM_STDERR);
  log.mutable_log()->set_data("oops\n");
  metrics.EventEmitted(log);
  v1::Event step;
  step.mutable_step_finished()->set_exit_code(0);
  metrics.EventEmitted(step);
  step.mutable_step_finished()->set_timed_out(true);
  metrics.EventEmitted(step);
  v1::Event finished;
  finished.mutable_finished()->set_outcome(v1::ATTEMPT_OUTCOME_TIMED_OUT);
  metrics.EventEmitted(finished);
  metrics.EventsSent(5);
  metrics.EventsAcked(3);
  metrics.SessionEnded();
  metrics.HeartbeatSent();
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_log_bytes_total", {{"stream", "stderr"}}), 5);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_log_bytes_total", {{"stream", "stdout"}}), 0);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_steps_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_steps_total", {{"result", "timed_out"}}), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_attempts_total", {{"result", "timed_out"}}), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_events_sent_total"), 5);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_events_acked_total"), 3);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_session_ends_total"), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_heartbeats_sent_total"), 1);

  metrics.Refresh({.connected = true, .attempts_running = 2, .outbox_memory_bytes = 100,
                   .outbox_spilled_events = 7, .in_flight_bytes = 50});
  metrics.Refresh({.connected = false, .attempts_running = 1, .outbox_memory_bytes = 10,
                   .outbox_spilled_events = 9, .in_flight_bytes = 0});
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_connected"), 0);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_attempts_running"), 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_outbox_memory_bytes"), 10);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_outbox_spilled_events_total"), 9);
  EXPECT_EQ(MetricValue(registry, "wsfleet_worker_in_flight_bytes"), 0);
}

TEST(WorkerMetricsTest, GpuGaugesCarryDcgmLabelsAndOnlyWhatTheDeviceReports) {
  prometheus::Registry registry;
  WorkerMetrics metrics(registry, "w1", "spark-1", 1);
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_temperature_celsius"), std::nullopt);
  gpu::GpuReading gb10;
  gb10.index = 0;
  gb10.uuid = "GPU-abc";
  gb10.name = "NVIDIA GB10";
  gb10.utilization_percent = 87;
  gb10.power_watts = 41.5;
  gb10.temperature_celsius = 63;
  gb10.sm_clock_hertz = 2.4e9;  // memory: not reported (unified), so no series
  metrics.SetGpus({gb10});
  std::map<std::string, std::string> labels = {
      {"gpu", "0"}, {"UUID", "GPU-abc"}, {"modelName", "NVIDIA GB10"}, {"Hostname", "spark-1"}};
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_utilization_percent", labels), 87);
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_power_watts", labels), 41.5);
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_temperature_celsius", labels), 63);
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_sm_clock_hertz", labels), 2.4e9);
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_memory_used_bytes", labels), std::nullopt);
  metrics.SetGpus({});  // the device went away: its series go too
  EXPECT_EQ(MetricValue(registry, "wsfleet_gpu_utilization_percent", labels), std::nullopt);
}

}  // namespace
}  // namespace wsfleet::worker
