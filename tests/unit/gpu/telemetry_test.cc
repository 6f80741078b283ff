#include "gpu/telemetry.h"

#include <gtest/gtest.h>

#include "gpu/devices.h"

namespace wsfleet::gpu {
namespace {

TEST(NvmlTest, AMissingLibraryIsUnavailableAndSaysWhich) {
  auto nvml = Nvml::Load("/nonexistent/libnvidia-ml.so.1");
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(nvml.status().message().find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);
  EXPECT_NE(nvml.status().message().find("NVIDIA driver"), std::string::npos);
}

TEST(NvmlTest, ALibraryWithoutNvmlIsUnavailable) {
  auto nvml = Nvml::Load("libm.so.6");  // loads, but has no NVML functions
  ASSERT_FALSE(nvml.ok());
  EXPECT_NE(nvml.status().message().find("lacks NVML functions"), std::string::npos);
}

TEST(MeminfoTest, UnifiedMemoryFromTotalAndAvailable) {
  auto memory = ParseMeminfo(
      "MemTotal:       127817032 kB\nMemFree:        100000000 kB\n"
      "MemAvailable:   117817032 kB\nBuffers:          1000 kB\n");
  ASSERT_TRUE(memory.has_value());
  EXPECT_DOUBLE_EQ(memory->total_bytes, 127817032.0 * 1024);
  EXPECT_DOUBLE_EQ(memory->used_bytes, 10000000.0 * 1024);
  EXPECT_EQ(ParseMeminfo("MemTotal: 10 kB\n"), std::nullopt);  // no MemAvailable
  EXPECT_EQ(ParseMeminfo(""), std::nullopt);
}

TEST(DevicesTest, PeakBandwidthIsDoubleDataRateOverTheBus) {
  DeviceInfo h100;
  h100.memory_clock_khz = 2619000;  // H100 SXM HBM3
  h100.memory_bus_width_bits = 5120;
  EXPECT_NEAR(h100.PeakMemoryBandwidth() / 1e12, 3.35, 0.01);
  h100.cc_major = 9;
  EXPECT_EQ(h100.ComputeCapability(), "9.0");
}

TEST(DevicesTest, WithoutAGpuDiscoveryIsUnavailableWithAReason) {
  auto devices = DiscoverDevices();
  if (devices.ok()) GTEST_SKIP() << "this machine has a GPU; the gpu-labelled tests cover it";
  EXPECT_EQ(devices.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(devices.status().message().empty());
}

}  // namespace
}  // namespace wsfleet::gpu
