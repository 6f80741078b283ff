#include "worker/gpu_inventory.h"

#include <gtest/gtest.h>

#include "absl/status/status.h"

namespace wsfleet::worker {
namespace {

std::vector<gpu::DeviceInfo> TwoH100s() {
  std::vector<gpu::DeviceInfo> devices(2);
  for (int i = 0; i < 2; ++i) {
    devices[i].index = i;
    devices[i].name = "NVIDIA H100 80GB HBM3";
    devices[i].uuid = "GPU-" + std::to_string(i);
    devices[i].memory_bytes = 85520809984;
    devices[i].cc_major = 9;
  }
  return devices;
}

const absl::Status kNoDriver = absl::UnavailableError("no usable GPU (no NVIDIA driver, or no GPU)");

TEST(GpuInventoryTest, AutoOffersEveryGpuFoundWithFeatureDiscoveryLabels) {
  auto inventory = BuildGpuInventory("auto", TwoH100s());
  ASSERT_TRUE(inventory.ok()) << inventory.status();
  ASSERT_EQ(inventory->gpus.size(), 2u);
  EXPECT_EQ(inventory->gpus[1].uuid(), "GPU-1");
  EXPECT_EQ(inventory->gpus[1].memory_bytes(), 85520809984u);
  EXPECT_EQ(inventory->labels.at("gpu.count"), "2");
  EXPECT_EQ(inventory->labels.at("gpu.product"), "NVIDIA-H100-80GB-HBM3");
  EXPECT_EQ(inventory->labels.at("gpu.memory_gb"), "86");
  EXPECT_EQ(inventory->labels.at("gpu.cc"), "9.0");
  EXPECT_TRUE(inventory->notes.empty());
}

TEST(GpuInventoryTest, AutoWithoutADriverOffersNoneAndSaysWhy) {
  auto inventory = BuildGpuInventory("auto", kNoDriver);
  ASSERT_TRUE(inventory.ok());
  EXPECT_TRUE(inventory->gpus.empty());
  EXPECT_EQ(inventory->labels.at("gpu.count"), "0");
  EXPECT_EQ(inventory->labels.count("gpu.product"), 0u);
  ASSERT_EQ(inventory->notes.size(), 1u);
  EXPECT_NE(inventory->notes[0].find("no NVIDIA driver"), std::string::npos);
}

TEST(GpuInventoryTest, AListPicksFoundGpusAndRefusesMissingOnes) {
  auto one = BuildGpuInventory("1", TwoH100s());
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->gpus.size(), 1u);
  EXPECT_EQ(one->gpus[0].index(), 1u);
  EXPECT_EQ(one->labels.at("gpu.count"), "1");
  auto missing = BuildGpuInventory("0,5", TwoH100s());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("GPU 5 is not on this machine (the CUDA runtime sees 2)"),
            std::string::npos);
}

TEST(GpuInventoryTest, AListIsOfferedAsGivenWhereTheRuntimeCannotLook) {
  auto inventory = BuildGpuInventory("0,3", kNoDriver);
  ASSERT_TRUE(inventory.ok());
  ASSERT_EQ(inventory->gpus.size(), 2u);
  EXPECT_EQ(inventory->gpus[1].index(), 3u);
  EXPECT_EQ(inventory->labels.at("gpu.count"), "2");
  ASSERT_EQ(inventory->notes.size(), 1u);
  EXPECT_NE(inventory->notes[0].find("offered as given"), std::string::npos);
}

TEST(GpuInventoryTest, NoneAndBadSpecs) {
  auto none = BuildGpuInventory("none", TwoH100s());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->gpus.empty());
  for (const char* bad : {"", "0,,1", "a", "1,1", "-1", "0;1"}) {
    auto inventory = BuildGpuInventory(bad, TwoH100s());
    ASSERT_FALSE(inventory.ok()) << bad;
    EXPECT_NE(inventory.status().message().find("expected auto, none, or distinct GPU indices"),
              std::string::npos);
  }
}

TEST(GpuInventoryTest, SplitsAMachinesGpusAmongLocalWorkers) {
  EXPECT_EQ(SplitGpus({0, 1, 2, 3}, 2), (std::vector<std::string>{"0,1", "2,3"}));
  EXPECT_EQ(SplitGpus({0, 1, 2, 3, 4, 5, 6, 7}, 3), (std::vector<std::string>{"0,1,2", "3,4,5", "6,7"}));
  EXPECT_EQ(SplitGpus({0}, 3), (std::vector<std::string>{"0", "none", "none"}));
  EXPECT_EQ(SplitGpus({}, 2), (std::vector<std::string>{"none", "none"}));
}

}  // namespace
}  // namespace wsfleet::worker
