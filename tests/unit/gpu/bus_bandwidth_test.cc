#include "gpu/bus_bandwidth.h"

#include <gtest/gtest.h>

namespace wsfleet::gpu {
namespace {

TEST(BusBandwidthTest, FactorsAreNcclTestsDefinitions) {
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 2), 1.0);       // 2(n-1)/n
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 8), 1.75);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllGather, 8), 0.875);     // (n-1)/n
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kReduceScatter, 4), 0.75);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kBroadcast, 8), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kSendRecv, 2), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 1), 0.0);       // nothing crosses a link
}

TEST(BusBandwidthTest, AlgorithmAndBusBandwidthFromSizeAndTime) {
  // 1 GiB all-reduced over 2 ranks in 50 ms: algbw 21.47 GB/s, busbw the same (factor 1).
  uint64_t gib = uint64_t{1} << 30;
  EXPECT_NEAR(AlgorithmBandwidth(gib, 0.05) / 1e9, 21.47, 0.01);
  EXPECT_NEAR(BusBandwidth(Collective::kAllReduce, 2, gib, 0.05) / 1e9, 21.47, 0.01);
  EXPECT_NEAR(BusBandwidth(Collective::kAllReduce, 8, gib, 0.05) / 1e9, 21.47 * 1.75, 0.02);
  EXPECT_EQ(AlgorithmBandwidth(gib, 0), 0.0);
}

TEST(BusBandwidthTest, SizeSweepDoublesFromMinToMax) {
  std::vector<uint64_t> sizes = SizeSweep(8, uint64_t{1} << 30, 2, 8);
  ASSERT_EQ(sizes.size(), 28u);  // 2^3 .. 2^30
  EXPECT_EQ(sizes.front(), 8u);
  EXPECT_EQ(sizes.back(), uint64_t{1} << 30);
  for (size_t i = 1; i < sizes.size(); ++i) EXPECT_EQ(sizes[i], sizes[i - 1] * 2);
}

TEST(BusBandwidthTest, SizeSweepRoundsToWholeElementsPerRankAndEndsAtMax) {
  // 4-byte floats on 8 ranks: multiples of 32 bytes; the smallest sizes collapse to one.
  std::vector<uint64_t> sizes = SizeSweep(8, 1000, 2, 32);
  EXPECT_EQ(sizes, (std::vector<uint64_t>{32, 64, 128, 256, 512, 992}));
  EXPECT_TRUE(SizeSweep(64, 8, 2, 8).empty());   // min > max
  EXPECT_TRUE(SizeSweep(8, 64, 1, 8).empty());   // a factor of 1 would never end
  EXPECT_EQ(SizeSweep(UINT64_MAX / 2, UINT64_MAX, 4, 1).size(), 2u);  // no overflow
}

TEST(BusBandwidthTest, ParsesSizesAndCollectives) {
  EXPECT_EQ(ParseSize("8"), 8u);
  EXPECT_EQ(ParseSize("8B"), 8u);
  EXPECT_EQ(ParseSize("64K"), uint64_t{64} << 10);
  EXPECT_EQ(ParseSize("256M"), uint64_t{256} << 20);
  EXPECT_EQ(ParseSize("1G"), uint64_t{1} << 30);
  EXPECT_EQ(ParseSize("1GiB"), uint64_t{1} << 30);
  EXPECT_EQ(ParseSize("12Q"), std::nullopt);
  EXPECT_EQ(ParseSize("G"), std::nullopt);
  EXPECT_EQ(ParseSize("-1"), std::nullopt);
  EXPECT_EQ(ParseSize("99999999999999999999G"), std::nullopt);
  EXPECT_EQ(ParseCollective("all_reduce"), Collective::kAllReduce);
  EXPECT_EQ(ParseCollective("sendrecv"), Collective::kSendRecv);
  EXPECT_EQ(ParseCollective("allreduce"), std::nullopt);
  EXPECT_STREQ(CollectiveName(Collective::kReduceScatter), "reduce_scatter");
}

}  // namespace
}  // namespace wsfleet::gpu
