#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "worker/output_parsers.h"

// Counting an attempt's tests once each, whatever reported them: its steps' output (the
// line parsers) and the JUnit XML reports its steps wrote.
namespace wsfleet::worker {

// One name for a test whatever printed it: "tests/test_math.py" + "TestX::test_a" (pytest
// -v) and "tests.test_math.TestX" + "test_a" (its JUnit report) are the same test, as are
// GoogleTest's "A.c" on stdout and in XML, and libtest's "a::b" in either.
std::string TestIdentity(std::string_view suite, std::string_view name);

// Whether a step runs unit or integration tests, as its section heading or its script
// says ("### Integration Tests", `pytest tests/integration`, `ctest -L unit`): "unit",
// "integration", or empty when it does not say.
std::string TestKindOf(std::string_view heading, std::string_view script);

// The tests an attempt has reported so far. Any thread.
class TestLedger {
 public:
  // True the first time a test is seen in this attempt (it is then counted); false after.
  bool Admit(const ParsedTest& test);
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> seen_;
};

// The report paths a step's script tells its runners to write: `--junitxml=out/j.xml`,
// `--gtest_output=xml:reports/` (a directory: it ends in /), `--output-junit build/c.xml`,
// or any word ending in .xml. Relative to the step's working directory, as written.
std::vector<std::string> NamedReportPaths(std::string_view script);

// The JUnit reports of one attempt. A step's reports are read after it ends: those its
// script names (files, or directories of them), or, in a workspace that is the attempt's
// own (a worktree), any .xml file under it; in either case only files written during that
// step, each file version once, and only inside the workspace. In a shared workdir a step
// that names no report has none read: another workstream's reports may be lying there.
class JUnitReports {
 public:
  std::vector<ParsedTest> Collect(const std::string& workspace, std::string_view script,
                                  common::WallTime step_began, bool private_workspace);

 private:
  void Read(const std::filesystem::path& file, common::WallTime step_began, std::vector<ParsedTest>& tests);
  void Walk(const std::filesystem::path& root, common::WallTime step_began, std::vector<ParsedTest>& tests);

  // Each report file version read, by path and modification time.
  std::set<std::pair<std::string, std::filesystem::file_time_type>> read_;
};

}  // namespace wsfleet::worker
