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


BurnSample At(int device, double seconds, uint64_t mask = 0) {
  BurnSample sample = Sample(device, 800 + seconds, 4000, 45, 1980, mask);
  sample.elapsed_seconds = seconds;
  return sample;
}

TEST(BurnProgressTest, AFastGpusRoundsAreGatheredIntoALinePerInterval) {
  BurnProgress progress(10);
  std::vector<BurnProgress::Line> lines;
  int added = 0;
  for (double t = 0.035; t < 25; t += 0.035, ++added) {  // a fast GPU's pace: 28 rounds a second
    if (auto line = progress.Add(At(0, t))) lines.push_back(*line);
  }
  ASSERT_EQ(lines.size(), 3u) << "the first round, then one line each 10 s";
  EXPECT_EQ(lines[0].rounds.rounds, 1);
  EXPECT_NEAR(lines[1].elapsed_seconds, 10.035, 0.04);
  EXPECT_NEAR(lines[2].elapsed_seconds, 20.035, 0.04);
  EXPECT_NEAR(lines[1].rounds.min_tflops, 800.07, 0.01) << "the line covers the rounds since the last";
  EXPECT_NEAR(lines[1].rounds.max_tflops, 810.035, 0.04);
  std::vector<BurnProgress::Line> rest = progress.Finish();
  ASSERT_EQ(rest.size(), 1u) << "the rounds after the last line are not lost";
  int covered = rest[0].rounds.rounds;
  for (const BurnProgress::Line& line : lines) covered += line.rounds.rounds;
  EXPECT_EQ(covered, added);
  EXPECT_TRUE(progress.Finish().empty());
}

TEST(BurnProgressTest, AChangeInThrottlingIsPrintedAtOnce) {
  BurnProgress progress(10);
  EXPECT_TRUE(progress.Add(At(0, 0.1)));
  EXPECT_FALSE(progress.Add(At(0, 0.2)));
  std::optional<BurnProgress::Line> capped = progress.Add(At(0, 0.3, 0x4));
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->rounds.throttle_reasons, std::vector<std::string>{"power cap"});
  EXPECT_FALSE(progress.Add(At(0, 0.4, 0x4))) << "still capped: nothing new to say";
  EXPECT_TRUE(progress.Add(At(0, 0.5))) << "and when it ends";
}

TEST(BurnProgressTest, EachGpuHasItsOwnLines) {
  BurnProgress progress(1);
  EXPECT_TRUE(progress.Add(At(0, 0.1)));
  EXPECT_TRUE(progress.Add(At(1, 0.1))) << "GPU 1's first round, though GPU 0 just printed";
  EXPECT_FALSE(progress.Add(At(1, 0.5)));
  std::optional<BurnProgress::Line> line = progress.Add(At(0, 1.2));
  ASSERT_TRUE(line);
  EXPECT_EQ(line->rounds.device, 0);
  std::vector<BurnProgress::Line> rest = progress.Finish();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].rounds.device, 1);
  EXPECT_EQ(rest[0].rounds.rounds, 1);
}

TEST(BurnTallyTest, FoldsRoundsAsTheyComeAsTheSummaryOfAllWould) {
  std::vector<BurnSample> samples = {At(1, 1, 0x20), At(0, 1), At(0, 2, 0x4), At(1, 2, 0x4)};
  BurnTally tally;
  for (const BurnSample& sample : samples) tally.Add(sample);
  std::vector<BurnDeviceSummary> summaries = tally.Summaries();
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[1].throttle_reasons,
            (std::vector<std::string>{"power cap", "software thermal"}));
  EXPECT_EQ(summaries[0].rounds, 2);
  EXPECT_DOUBLE_EQ(summaries[0].min_tflops, 801);
}

}  // namespace
}  // namespace wsfleet::gpu
