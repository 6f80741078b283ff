#include "gpu/burn.h"

#include <gtest/gtest.h>

#include "gpu/telemetry.h"

namespace wsfleet::gpu {
namespace {

BurnSample Sample(int device, double tflops, double gbps, std::optional<double> celsius = {},
                  std::optional<double> mhz = {}, uint64_t mask = 0) {
  BurnSample sample;
  sample.device = device;
  sample.gemm_tflops = tflops;
  sample.membw_gbps = gbps;
  sample.temperature_celsius = celsius;
  if (mhz) sample.sm_clock_hertz = *mhz * 1e6;
  sample.throttle_mask = mask;
  return sample;
}

TEST(BurnSummaryTest, PerDeviceRangesAndTheDropUnderSustainedLoad) {
  std::vector<BurnDeviceSummary> summaries = SummarizeBurn({
      Sample(1, 400, 3000, 60, 1980), Sample(0, 500, 3300, 55, 1980),
      Sample(1, 360, 2950, 83, 1755, 0x4 | 0x20), Sample(0, 498, 3310, 61, 1980, 0x1),
  });
  ASSERT_EQ(summaries.size(), 2u);
  const BurnDeviceSummary& cool = summaries[0];
  const BurnDeviceSummary& hot = summaries[1];
  EXPECT_EQ(cool.device, 0);
  EXPECT_EQ(cool.rounds, 2);
  EXPECT_DOUBLE_EQ(cool.max_tflops, 500);
  EXPECT_DOUBLE_EQ(cool.last_tflops, 498);
  EXPECT_NEAR(cool.tflops_drop_percent, 0.4, 1e-9);
  EXPECT_TRUE(cool.throttle_reasons.empty()) << "idle is not throttling";
  EXPECT_EQ(hot.device, 1);
  EXPECT_DOUBLE_EQ(hot.min_tflops, 360);
  EXPECT_NEAR(hot.tflops_drop_percent, 10, 1e-9);
  EXPECT_DOUBLE_EQ(hot.min_membw_gbps, 2950);
  EXPECT_EQ(*hot.max_temperature_celsius, 83);
  EXPECT_EQ(*hot.min_sm_clock_hertz, 1755e6);
  EXPECT_EQ(*hot.max_sm_clock_hertz, 1980e6);
  EXPECT_EQ(hot.throttle_reasons, (std::vector<std::string>{"power cap", "software thermal"}));
}

TEST(BurnSummaryTest, NoTelemetryLeavesItUnknownNotZero) {
  std::vector<BurnDeviceSummary> summaries = SummarizeBurn({Sample(0, 100, 200)});
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_FALSE(summaries[0].max_temperature_celsius.has_value());
  EXPECT_FALSE(summaries[0].min_sm_clock_hertz.has_value());
  EXPECT_TRUE(SummarizeBurn({}).empty());
}

TEST(ThrottleReasonsTest, NamesWhatSlowsABusyGpu) {
  EXPECT_TRUE(ThrottleReasons(0).empty());
  EXPECT_TRUE(ThrottleReasons(0x1 | 0x2 | 0x100).empty());  // idle, app clocks, display
  EXPECT_EQ(ThrottleReasons(0x8 | 0x40 | 0x80),
            (std::vector<std::string>{"hardware slowdown", "hardware thermal", "power brake"}));
}

}  // namespace
}  // namespace wsfleet::gpu
