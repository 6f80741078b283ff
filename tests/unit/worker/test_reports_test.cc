// Test results counted once per attempt (issue 15): one identity for a test whatever
// reported it, and JUnit reports only from where the step said it wrote them, written
// during that step.

#include "worker/test_reports.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

TEST(TestIdentityTest, TheSameTestFromStdoutAndFromItsReportIsOne) {
  // GoogleTest: "[ RUN ] A.c" and <testcase classname="A" name="c">.
  EXPECT_EQ(TestIdentity("A", "c"), TestIdentity("A", "c"));
  // pytest -v: "tests/test_math.py::TestX::test_a" and classname="tests.test_math.TestX".
  EXPECT_EQ(TestIdentity("tests/test_math.py", "TestX::test_a"), TestIdentity("tests.test_math.TestX", "test_a"));
  // cargo: "test parser::tests::parses ... ok" and a report's "parser::tests" / "parses".
  EXPECT_EQ(TestIdentity("parser::tests", "parses"), TestIdentity("parser.tests", "parses"));
  EXPECT_NE(TestIdentity("A", "c"), TestIdentity("A", "d"));
  EXPECT_NE(TestIdentity("A.b", "c"), TestIdentity("A", "b_c"));
}

TEST(TestKindTest, AStepSaysWhetherItRunsUnitOrIntegrationTests) {
  EXPECT_EQ(TestKindOf("Integration Tests", "make check"), "integration");
  EXPECT_EQ(TestKindOf("Test Commands", "pytest tests/integration -v"), "integration");
  EXPECT_EQ(TestKindOf("Test Commands", "# Unit tests\nctest -L unit"), "unit");
  EXPECT_EQ(TestKindOf("Test Commands", "pytest tests/unit_tests"), "unit");
  EXPECT_EQ(TestKindOf("Test Commands", "pytest tests/"), "");
  EXPECT_EQ(TestKindOf("Test Commands", "make community"), "");  // "unit" inside a word says nothing
}

TEST(TestLedgerTest, AdmitsEachTestOnce) {
  TestLedger ledger;
  EXPECT_TRUE(ledger.Admit({"gtest", "A", "c", TestOutcome::kFailed, 0}));
  EXPECT_FALSE(ledger.Admit({"junit", "A", "c", TestOutcome::kFailed, 0}));
  EXPECT_TRUE(ledger.Admit({"junit", "A", "d", TestOutcome::kPassed, 0}));
  EXPECT_EQ(ledger.size(), 2u);
}

TEST(NamedReportPathsTest, FindsWhatRunnersAreToldToWrite) {
  EXPECT_EQ(NamedReportPaths("pytest --junitxml=out/junit.xml tests/"), (std::vector<std::string>{"out/junit.xml"}));
  EXPECT_EQ(NamedReportPaths("./unit --gtest_output=xml:reports/"), (std::vector<std::string>{"reports/"}));
  EXPECT_EQ(NamedReportPaths("./unit --gtest_output=xml:reports/unit.xml"),
            (std::vector<std::string>{"reports/unit.xml"}));
  EXPECT_EQ(NamedReportPaths("ctest --output-junit 'build/ctest.xml'\ntest -f out/a.xml"),
            (std::vector<std::string>{"build/ctest.xml", "out/a.xml"}));
  EXPECT_TRUE(NamedReportPaths("echo junit is great").empty());
  EXPECT_TRUE(NamedReportPaths("cat config.xmlx").empty());
}

class JUnitReportsTest : public ::testing::Test {
 protected:
  JUnitReportsTest() {
    dir_ = fs::temp_directory_path() / ("wsfleet-reports-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "out");
  }
  ~JUnitReportsTest() override { fs::remove_all(dir_); }
  void Write(const std::string& path, int tests) {
    std::ofstream out(dir_ / path);
    out << "<testsuite name='s'>";
    for (int i = 0; i < tests; ++i) out << "<testcase classname='S' name='t" << i << "'/>";
    out << "</testsuite>";
  }
  fs::path dir_;
  JUnitReports reports_;
};

TEST_F(JUnitReportsTest, ReadsTheNamedReportOnceEvenWhenALaterStepNamesItAgain) {
  common::WallTime begin = std::chrono::system_clock::now();
  Write("out/junit.xml", 3);
  EXPECT_EQ(reports_.Collect(dir_.string(), "pytest --junitxml=out/junit.xml", begin, false).size(), 3u);
  // A verification step `test -f out/junit.xml`, later: the file was not written during it.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  common::WallTime later = std::chrono::system_clock::now();
  EXPECT_TRUE(reports_.Collect(dir_.string(), "test -f out/junit.xml", later, false).empty());
  // Nor is it read twice when its time would let it in.
  EXPECT_TRUE(reports_.Collect(dir_.string(), "test -f out/junit.xml", begin, false).empty());
}

TEST_F(JUnitReportsTest, InASharedWorkspaceOnlyNamedReportsAreRead) {
  common::WallTime begin = std::chrono::system_clock::now();
  Write("out/other-workstream.xml", 2);  // another attempt's, in the same workdir
  Write("out/mine.xml", 1);
  EXPECT_EQ(reports_.Collect(dir_.string(), "run --xml out/mine.xml", begin, /*private_workspace=*/false).size(), 1u);
  // A step that says "junit" but names no file: nothing is read where others write too ...
  EXPECT_TRUE(reports_.Collect(dir_.string(), "make junit", begin, false).empty());
}

TEST_F(JUnitReportsTest, InItsOwnWorktreeEveryReportWrittenDuringTheStepIsRead) {
  common::WallTime begin = std::chrono::system_clock::now();
  Write("out/a.xml", 2);
  Write("out/b.xml", 1);
  EXPECT_EQ(reports_.Collect(dir_.string(), "make junit", begin, /*private_workspace=*/true).size(), 3u);
}

TEST_F(JUnitReportsTest, ADirectoryNamedForReportsIsRead) {
  common::WallTime begin = std::chrono::system_clock::now();
  fs::create_directories(dir_ / "reports");
  Write("reports/unit.xml", 2);
  Write("out/elsewhere.xml", 5);
  EXPECT_EQ(reports_.Collect(dir_.string(), "./unit --gtest_output=xml:reports/", begin, false).size(), 2u);
}

TEST_F(JUnitReportsTest, ANamedReportIsFoundAfterTheStepChangedDirectory) {
  common::WallTime begin = std::chrono::system_clock::now();
  fs::create_directories(dir_ / "build" / "out");
  Write("build/out/junit.xml", 2);
  EXPECT_EQ(reports_.Collect(dir_.string(), "cd build && pytest --junitxml=out/junit.xml", begin, false).size(), 2u);
}

TEST_F(JUnitReportsTest, APathOutsideTheWorkspaceIsNotRead) {
  common::WallTime begin = std::chrono::system_clock::now();
  Write("out/junit.xml", 1);
  std::string outside = (dir_ / "out" / "junit.xml").string();
  EXPECT_TRUE(reports_.Collect((dir_ / "sub").string(), "pytest --junitxml=../out/junit.xml", begin, false).empty());
  EXPECT_TRUE(reports_.Collect((dir_ / "sub").string(), "pytest --junitxml=" + outside, begin, false).empty());
}

}  // namespace
}  // namespace wsfleet::worker
