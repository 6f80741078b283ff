#include "worker/environment_probe.h"

#include <gtest/gtest.h>

namespace wsfleet::worker {
namespace {

TEST(EnvironmentProbeTest, AMachineSaysWhatItIs) {
  EnvironmentSources sources;
  sources.machine = "aarch64";
  sources.os_release = "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n";
  sources.cuda_driver = 13010;
  sources.cuda_version_json = R"({"cuda": {"name": "CUDA SDK", "version": "13.0.48"}})";
  sources.probe = [](const std::string& command) -> std::optional<std::string> {
    if (command.rfind("python3", 0) == 0) return "Python 3.10.12\n";
    return std::nullopt;  // no Rust here
  };
  std::map<std::string, std::string> labels = EnvironmentLabels(sources);
  EXPECT_EQ(labels["env.arch"], "arm64");
  EXPECT_EQ(labels["env.os"], "ubuntu");
  EXPECT_EQ(labels["env.os.version"], "22.04");
  EXPECT_EQ(labels["env.cuda.driver"], "13.1");
  EXPECT_EQ(labels["env.cuda.runtime"], "13.0");
  EXPECT_EQ(labels["env.python"], "3.10.12");
  EXPECT_FALSE(labels.count("env.rust"));
}

TEST(EnvironmentProbeTest, WithoutADriverOrAToolkitNoCudaIsClaimed) {
  EnvironmentSources sources;
  sources.machine = "x86_64";
  sources.os_release = "ID=debian\nVERSION_ID=\"12\"\n";
  sources.probe = [](const std::string& command) -> std::optional<std::string> {
    if (command.find("nvcc") != std::string::npos) return "Cuda compilation tools, release 12.4, V12.4.131\n";
    return std::nullopt;
  };
  std::map<std::string, std::string> labels = EnvironmentLabels(sources);
  EXPECT_EQ(labels["env.arch"], "amd64");
  EXPECT_FALSE(labels.count("env.cuda.driver"));
  EXPECT_EQ(labels["env.cuda.runtime"], "12.4") << "nvcc's release, with no version.json";
}

}  // namespace
}  // namespace wsfleet::worker
