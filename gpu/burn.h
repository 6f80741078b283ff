#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

// `wsfleet gpu bench burn`: sustained GEMM and memory traffic on every chosen GPU at once,
// each round's results checked, with the GPUs' telemetry read after every round so that
// throttling shows. The summary arithmetic is plain C++, tested without a GPU.
namespace wsfleet::gpu {

class Nvml;

// One round on one GPU: a checked bf16 GEMM and a checked STREAM triad, then telemetry.
struct BurnSample {
  int device = 0;
  double elapsed_seconds = 0;  // since the burn started, at the end of the round
  double gemm_tflops = 0;
  double membw_gbps = 0;
  std::optional<double> temperature_celsius;
  std::optional<double> sm_clock_hertz;
  std::optional<double> power_watts;
  uint64_t throttle_mask = 0;  // NVML clocks-event reasons seen after the round
};

struct BurnDeviceSummary {
  int device = 0;
  int rounds = 0;
  double max_tflops = 0;
  double min_tflops = 0;
  double last_tflops = 0;
  double min_membw_gbps = 0;
  // How far the slowest round fell below the fastest: sustained-load degradation.
  double tflops_drop_percent = 0;
  std::optional<double> max_temperature_celsius;
  std::optional<double> min_sm_clock_hertz;
  std::optional<double> max_sm_clock_hertz;
  std::optional<double> max_power_watts;
  std::vector<std::string> throttle_reasons;  // every reason seen in any round
};

// Rounds folded into per-device summaries as they come, so a burn of days holds a few
// numbers per GPU, not every round.
class BurnTally {
 public:
  void Add(const BurnSample& sample);
  bool empty() const { return devices_.empty(); }
  // Per device, in device order.
  std::vector<BurnDeviceSummary> Summaries() const;

 private:
  struct Device {
    BurnDeviceSummary summary;
    uint64_t throttle_mask = 0;  // every reason seen in any round
  };
  std::map<int, Device> devices_;
};

// Per device, in device order.
std::vector<BurnDeviceSummary> SummarizeBurn(const std::vector<BurnSample>& samples);

// A burn's progress lines. A fast GPU finishes a round every few tens of milliseconds (an
// H200 at 8192^3: about 24 a second), far too many lines for a log, so each GPU's rounds
// are gathered into one line per interval: its first round at once, then one line per
// `interval_seconds`, and at once when the throttle reasons change. Safe to call from the
// device threads.
class BurnProgress {
 public:
  struct Line {
    double elapsed_seconds = 0;  // at the end of the last round it covers
    BurnDeviceSummary rounds;    // the rounds since the previous line
  };
  explicit BurnProgress(double interval_seconds) : interval_seconds_(interval_seconds) {}
  // The line this round completes, if it completes one.
  std::optional<Line> Add(const BurnSample& sample);
  // The rounds not yet on a line, per device, once the burn is over.
  std::vector<Line> Finish();

 private:
  struct Device {
    BurnTally open;                 // rounds since the last line
    double opened_seconds = 0;      // when the last line was printed
    double last_seconds = 0;        // the last round added
    uint64_t printed_mask = 0;      // throttle reasons on the last line's last round
    bool printed = false;
  };
  std::mutex mutex_;
  double interval_seconds_;
  std::map<int, Device> devices_;
};

struct BurnOptions {
  std::vector<int> devices;
  std::chrono::seconds duration{60};
  int gemm_size = 8192;
  uint64_t membw_bytes = uint64_t{1} << 30;
  const Nvml* nvml = nullptr;                       // telemetry; none without the driver
  std::function<void(const BurnSample&)> on_sample;  // progress, from the device threads
};

struct BurnResult {
  bool ok = false;
  bool unavailable = false;  // built without CUDA: nothing ran
  std::string error;         // the first wrong result or CUDA error, naming the GPU
  std::vector<BurnDeviceSummary> summaries;  // every completed round, per device
};

BurnResult RunBurn(const BurnOptions& options);

}  // namespace wsfleet::gpu
