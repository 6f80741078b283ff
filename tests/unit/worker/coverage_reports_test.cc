// Coverage reports as the real tools wrote them (tests/data/coverage/: gcovr 5.2 and
// coverage.py 6.5 over a small C and Python program each), and what is not one.

#include "worker/coverage_reports.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

std::string Fixture(const std::string& name) {
  std::ifstream in(fs::path(WSFLEET_TEST_DATA_DIR) / "coverage" / name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Expected {
  const char* file;
  const char* format;
  double line;
  double branch;
};

class CoverageFixtureTest : public ::testing::TestWithParam<Expected> {};

TEST_P(CoverageFixtureTest, ReadsLineAndBranchCoverage) {
  const Expected& expected = GetParam();
  absl::StatusOr<Coverage> coverage = ParseCoverageReport(expected.file, Fixture(expected.file));
  ASSERT_TRUE(coverage.ok()) << coverage.status();
  EXPECT_EQ(coverage->format, expected.format);
  EXPECT_NEAR(coverage->line_percent, expected.line, 0.01);
  ASSERT_TRUE(coverage->branch_percent.has_value());
  EXPECT_NEAR(*coverage->branch_percent, expected.branch, 0.01);
}

// gcovr: 2 of 5 lines, 0 of 2 branches; coverage.py: 4 of 7 statements, 0 of 2 branches.
INSTANTIATE_TEST_SUITE_P(RealTools, CoverageFixtureTest,
                         ::testing::Values(Expected{"gcovr-cobertura.xml", "cobertura", 40, 0},
                                           Expected{"gcovr-summary.json", "gcovr", 40, 0},
                                           Expected{"gcovr.json", "gcovr", 40, 0},
                                           Expected{"coveragepy.xml", "cobertura", 57.14, 0},
                                           Expected{"coveragepy.json", "coverage.py", 57.14, 0},
                                           Expected{"coveragepy.info", "lcov", 57.14, 0}));

TEST(CoverageReportTest, WhatIsNoReportIsAnError) {
  EXPECT_FALSE(ParseCoverageReport("coverage.xml", "<testsuite name='x'/>").ok());
  EXPECT_FALSE(ParseCoverageReport("coverage.json", "{\"name\": 1}").ok());
  EXPECT_FALSE(ParseCoverageReport("coverage.json", "{truncated").ok());
  EXPECT_FALSE(ParseCoverageReport("notes.info", "just words\n").ok());
  EXPECT_FALSE(ParseCoverageReport("x", "").ok());
}

TEST(CoverageReportTest, LcovSumsEveryFileAndMayHaveNoBranches) {
  absl::StatusOr<Coverage> coverage =
      ParseCoverageReport("lcov.info", "TN:\nSF:a.c\nLF:10\nLH:9\nend_of_record\nSF:b.c\nLF:10\nLH:7\nend_of_record\n");
  ASSERT_TRUE(coverage.ok());
  EXPECT_DOUBLE_EQ(coverage->line_percent, 80);
  EXPECT_FALSE(coverage->branch_percent.has_value());
}

TEST(CoverageReportTest, NamesThatMayBeReports) {
  for (const char* name : {"coverage.xml", "cobertura-unit.xml", "lcov.info", "out/app.info", "coverage.json",
                           "gcovr-summary.json"}) {
    EXPECT_TRUE(LooksLikeCoverageReport(name)) << name;
  }
  for (const char* name : {"junit.xml", "package.json", "coverage.txt", "report.xml"}) {
    EXPECT_FALSE(LooksLikeCoverageReport(name)) << name;
  }
}

TEST(CoverageReportTest, FindsTheNewestReportWrittenDuringTheAttempt) {
  fs::path dir = fs::temp_directory_path() / ("wsfleet-cov-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "build");
  std::ofstream(dir / "coverage.xml") << Fixture("gcovr-cobertura.xml");  // before the attempt
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  common::WallTime began = std::chrono::system_clock::now();
  EXPECT_FALSE(FindCoverage(dir.string(), began, {}, /*private_workspace=*/true).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::ofstream(dir / "build" / "coverage.json") << Fixture("coveragepy.json");
  std::optional<Coverage> found = FindCoverage(dir.string(), began, {"make test"}, /*private_workspace=*/true);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->format, "coverage.py");
  // In a shared workdir only what a step names is read: another's report may be there.
  EXPECT_FALSE(FindCoverage(dir.string(), began, {"make test"}, /*private_workspace=*/false).has_value());
  found = FindCoverage(dir.string(), began, {"coverage json -o build/coverage.json"}, false);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->format, "coverage.py");
  // Nor outside the workspace, whatever a step names.
  EXPECT_FALSE(FindCoverage((dir / "build").string(), began, {"cp x ../coverage.xml"}, false).has_value());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wsfleet::worker
