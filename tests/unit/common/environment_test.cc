#include "common/environment.h"

#include <gtest/gtest.h>

#include "common/card_parser.h"

namespace wsfleet::common {
namespace {

using Kind = EnvironmentNeed::Kind;

std::vector<EnvironmentNeed> Read(std::string_view key, std::string_view value) {
  return ReadEnvironmentLine(key, value, {"ws.md", 7});
}

// The seed template's lines, as written there.
TEST(EnvironmentTest, TheTemplatesLinesBecomeNeedsAndHints) {
  std::vector<EnvironmentNeed> hardware = Read("Hardware", "DGX-Spark GB10");
  ASSERT_EQ(hardware.size(), 1u);
  EXPECT_EQ(hardware[0].kind, Kind::kGpu);
  EXPECT_EQ(Describe(hardware[0]), "a GB10 GPU");
  EXPECT_EQ(hardware[0].where.ToString(), "ws.md:7");

  std::vector<EnvironmentNeed> os = Read("OS", "Ubuntu 22.04 (ARM64)");
  ASSERT_EQ(os.size(), 2u);
  EXPECT_EQ(os[0].kind, Kind::kOs);
  EXPECT_EQ(Describe(os[0]), "ubuntu 22.04");
  EXPECT_EQ(os[1].kind, Kind::kArch);
  EXPECT_EQ(Describe(os[1]), "arm64");

  std::vector<EnvironmentNeed> cuda = Read("CUDA", "13.0");
  ASSERT_EQ(cuda.size(), 1u);
  EXPECT_EQ(Describe(cuda[0]), "CUDA \xE2\x89\xA5 13.0") << "a CUDA version is a minimum";

  EXPECT_EQ(Read("Python", "3.10+ (if applicable)")[0].kind, Kind::kHint);
  EXPECT_EQ(Read("Rust", "1.70+ (if applicable)")[0].kind, Kind::kHint);
  std::vector<EnvironmentNeed> python = Read("Python", "3.10+");
  EXPECT_EQ(Describe(python[0]), "Python \xE2\x89\xA5 3.10");
  EXPECT_EQ(Read("Memory", "128 GB unified")[0].kind, Kind::kHint) << "nothing wsfleet checks";
  EXPECT_EQ(Read("Hardware", "any server")[0].kind, Kind::kHint);
}

TEST(EnvironmentTest, AWorkerMeetsANeedByItsLabels) {
  std::map<std::string, std::string> spark = {{"env.arch", "arm64"},         {"env.os", "ubuntu"},
                                              {"env.os.version", "22.04"},   {"gpu.product", "NVIDIA-GB10"},
                                              {"env.cuda.driver", "13.0"},   {"env.cuda.runtime", "13.0"},
                                              {"env.python", "3.10.12"}};
  std::map<std::string, std::string> laptop = {{"env.arch", "amd64"}, {"env.os", "debian"},
                                               {"env.os.version", "12"}, {"env.python", "3.9.2"}};
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"Hardware", "DGX-Spark GB10"}, {"OS", "Ubuntu 22.04 (ARM64)"}, {"CUDA", "13.0"}, {"Python", "3.10+"}}) {
    for (const EnvironmentNeed& need : Read(key, value)) {
      EXPECT_TRUE(Satisfies(need, spark)) << need.text;
      EXPECT_FALSE(Satisfies(need, laptop)) << need.text;
    }
  }
  // Versions: a minimum, or one release of it.
  std::map<std::string, std::string> newer = {{"env.cuda.driver", "13.1"}, {"env.cuda.runtime", "13.0"}};
  EXPECT_TRUE(Satisfies(Read("CUDA", "13.0")[0], newer));
  EXPECT_FALSE(Satisfies(Read("CUDA", "13.1")[0], newer)) << "the toolkit is 13.0";
  EXPECT_TRUE(Satisfies(Read("Python", "3.10")[0], {{"env.python", "3.10.4"}}));
  EXPECT_FALSE(Satisfies(Read("Python", "3.10")[0], {{"env.python", "3.11.2"}}));
  EXPECT_TRUE(Satisfies(Read("OS", "Ubuntu 22.04")[0], {{"env.os", "ubuntu"}, {"env.os.version", "22.04"}}));
  EXPECT_FALSE(Satisfies(Read("OS", "Ubuntu 22.04")[0], {{"env.os", "ubuntu"}, {"env.os.version", "24.04"}}));
  EXPECT_TRUE(Satisfies(Read("OS", "Ubuntu 22.04+")[0], {{"env.os", "ubuntu"}, {"env.os.version", "24.04"}}));
  EXPECT_TRUE(Satisfies(Read("Python", "3.10+ (if applicable)")[0], laptop)) << "a hint is never a reason to wait";
}

TEST(EnvironmentTest, ArchitecturesAndVersionsCompareAsPeopleWriteThem) {
  EXPECT_EQ(NormalizeArch("ARM64"), "arm64");
  EXPECT_EQ(NormalizeArch("aarch64"), "arm64");
  EXPECT_EQ(NormalizeArch("x86_64"), "amd64");
  EXPECT_EQ(NormalizeArch("sparc"), "");
  EXPECT_LT(CompareVersions("3.9", "3.10"), 0);
  EXPECT_EQ(CompareVersions("13", "13.0"), 0);
  EXPECT_GT(CompareVersions("1.70.1", "1.70"), 0);
}

TEST(EnvironmentTest, ACardsEnvironmentSectionIsRead) {
  ParsedDocument document = ParseCardDocument("ws.md", R"(# WS-01: Spark

**Duration**: 1 day

## Technical Requirements

### Environment
- Hardware: DGX-Spark GB10
- OS: Ubuntu 22.04 (ARM64)
- CUDA: 13.0
- Python: 3.10+ (if applicable)

### Dependencies
- CUDA: not an environment line here
)");
  ASSERT_EQ(document.workstreams.size(), 1u);
  const std::vector<EnvironmentNeed>& environment = document.workstreams[0].environment;
  ASSERT_EQ(environment.size(), 5u);
  EXPECT_EQ(environment[0].kind, Kind::kGpu);
  EXPECT_EQ(environment[0].where.line, 8);
  EXPECT_EQ(environment[1].kind, Kind::kOs);
  EXPECT_EQ(environment[2].kind, Kind::kArch);
  EXPECT_EQ(environment[3].kind, Kind::kCuda);
  EXPECT_EQ(environment[4].kind, Kind::kHint);
}

}  // namespace
}  // namespace wsfleet::common
