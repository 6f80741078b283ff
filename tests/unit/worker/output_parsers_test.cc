#include "worker/output_parsers.h"

#include <gtest/gtest.h>

#include "worker/junit_parser.h"

namespace wsfleet::worker {
namespace {

std::vector<ParsedItem> Scan(std::string_view output) {
  OutputScanner scanner;
  std::vector<ParsedItem> items;
  scanner.Feed(output, items);
  scanner.Finish(items);
  return items;
}

std::vector<ParsedTest> Tests(const std::vector<ParsedItem>& items) {
  std::vector<ParsedTest> tests;
  for (const ParsedItem& item : items) {
    if (const auto* test = std::get_if<ParsedTest>(&item)) tests.push_back(*test);
  }
  return tests;
}

std::vector<ParsedSummary> Summaries(const std::vector<ParsedItem>& items) {
  std::vector<ParsedSummary> summaries;
  for (const ParsedItem& item : items) {
    if (const auto* summary = std::get_if<ParsedSummary>(&item)) summaries.push_back(*summary);
  }
  return summaries;
}

TEST(GTestParserTest, RealOutput) {
  auto tests = Tests(Scan(R"([==========] Running 3 tests from 2 test suites.
[ RUN      ] DagTest.Levels
[       OK ] DagTest.Levels (2 ms)
[ RUN      ] DagTest.Cycle
dag_test.cc:40: Failure
[  FAILED  ] DagTest.Cycle (0 ms)
[ RUN      ] Cases/MalformedTest.Reports/cycle
[  FAILED  ] Cases/MalformedTest.Reports/cycle, where GetParam() = "cycle" (3 ms)
[ RUN      ] Skip.Me
[  SKIPPED ] Skip.Me (0 ms)
[==========] 3 tests from 2 test suites ran. (5 ms total)
[  PASSED  ] 1 test.
[  FAILED  ] 2 tests, listed below:
[  FAILED  ] DagTest.Cycle
[  FAILED  ] Cases/MalformedTest.Reports/cycle, where GetParam() = "cycle"
)"));
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].suite, "DagTest");
  EXPECT_EQ(tests[0].name, "Levels");
  EXPECT_EQ(tests[0].outcome, TestOutcome::kPassed);
  EXPECT_DOUBLE_EQ(tests[0].seconds, 0.002);
  EXPECT_EQ(tests[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ(tests[2].suite, "Cases/MalformedTest");
  EXPECT_EQ(tests[2].name, "Reports/cycle");
  EXPECT_EQ(tests[3].outcome, TestOutcome::kSkipped);
}

TEST(GTestParserTest, ColouredOutput) {
  auto tests = Tests(Scan("\x1b[0;32m[       OK ] \x1b[mA.B (1 ms)\n"));
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].name, "B");
}

TEST(PytestParserTest, VerboseOutput) {
  auto tests = Tests(Scan(R"(============================= test session starts ==============================
collected 4 items

tests/test_parse.py::test_ok PASSED                                      [ 25%]
tests/test_parse.py::test_bad FAILED                                     [ 50%]
tests/test_parse.py::TestX::test_skip SKIPPED (no gpu)                   [ 75%]
tests/test_parse.py::test_param[1-2] PASSED                              [100%]

=================================== FAILURES ===================================
=========================== short test summary info ============================
FAILED tests/test_parse.py::test_bad - assert 1 == 2
==================== 1 failed, 2 passed, 1 skipped in 0.12s ====================
)"));
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].suite, "tests/test_parse.py");
  EXPECT_EQ(tests[0].name, "test_ok");
  EXPECT_EQ(tests[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ(tests[2].name, "TestX::test_skip");
  EXPECT_EQ(tests[2].outcome, TestOutcome::kSkipped);
  EXPECT_EQ(tests[3].name, "test_param[1-2]");
}

TEST(PytestParserTest, QuietOutputGivesASummary) {
  auto items = Scan("..F.s\n=== 1 failed, 3 passed, 1 skipped in 0.05s ===\n");
  ASSERT_EQ(items.size(), 1u);
  const auto& summary = std::get<ParsedSummary>(items[0]);
  EXPECT_EQ(summary.passed, 3);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.skipped, 1);
}

TEST(CtestParserTest, RealOutput) {
  auto tests = Tests(Scan(R"(Test project /work/build
      Start  1: parser_unit
 1/4 Test  #1: parser_unit ......................   Passed    0.03 sec
      Start  2: dag_unit
 2/4 Test  #2: dag_unit .........................***Failed    1.20 sec
 3/4 Test  #3: gpu_smoke ........................***Skipped   0.00 sec
 4/4 Test  #4: crashy ...........................***Exception: SegFault  0.10 sec

50% tests passed, 2 tests failed out of 4
)"));
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests[0].name, "parser_unit");
  EXPECT_EQ(tests[0].outcome, TestOutcome::kPassed);
  EXPECT_DOUBLE_EQ(tests[0].seconds, 0.03);
  EXPECT_EQ(tests[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ(tests[2].outcome, TestOutcome::kSkipped);
  EXPECT_EQ(tests[3].outcome, TestOutcome::kFailed);
}

TEST(CargoParserTest, RealOutput) {
  auto tests = Tests(Scan(R"(running 3 tests
test parser::tests::parses_ids ... ok
test parser::tests::rejects_junk ... FAILED
test slow_thing ... ignored, needs a GPU

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out
)"));
  ASSERT_EQ(tests.size(), 3u);
  EXPECT_EQ(tests[0].suite, "parser::tests");
  EXPECT_EQ(tests[0].name, "parses_ids");
  EXPECT_EQ(tests[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ(tests[2].suite, "");
  EXPECT_EQ(tests[2].outcome, TestOutcome::kSkipped);
}

// libtest's terse output (`cargo test -q`): no per-test lines; its summary line is what
// counts, the failed test's name from the failures list.
TEST(CargoParserTest, TerseOutputCountsFromItsSummaryLine) {
  std::vector<ParsedItem> items = Scan(R"(running 4 tests
i.F. 4/4
failures:

---- tests::b stdout ----
thread 'tests::b' panicked at src/lib.rs:10:5:
assertion failed: 1 == 2

failures:
    tests::b

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s
)");
  auto tests = Tests(items);
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].suite, "tests");
  EXPECT_EQ(tests[0].name, "b");
  EXPECT_EQ(tests[0].outcome, TestOutcome::kFailed);
  auto summaries = Summaries(items);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].framework, "cargo");
  EXPECT_EQ(summaries[0].passed, 2);
  EXPECT_EQ(summaries[0].failed, 0);  // the one failure is the named test above
  EXPECT_EQ(summaries[0].skipped, 1);
}

TEST(CargoParserTest, PerTestLinesAndTheSummaryCountEachTestOnce) {
  std::vector<ParsedItem> items = Scan(R"(running 2 tests
test a ... ok
test b ... FAILED

failures:
    b

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out

running 3 tests
...
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out
)");
  int passed = 0, failed = 0;
  for (const ParsedTest& test : Tests(items)) (test.outcome == TestOutcome::kPassed ? passed : failed)++;
  for (const ParsedSummary& summary : Summaries(items)) {
    passed += summary.passed;
    failed += summary.failed;
  }
  EXPECT_EQ(passed, 4);
  EXPECT_EQ(failed, 1);
}

// libtest's JSON output (`cargo test -- -Z unstable-options --format json`): one event a
// line; the suite's closing event is authoritative.
TEST(CargoParserTest, JsonOutputCountsEachTestAndTheSuite) {
  std::vector<ParsedItem> items = Scan(R"({ "type": "suite", "event": "started", "test_count": 4 }
{ "type": "test", "event": "started", "name": "tests::a" }
{ "type": "test", "name": "tests::a", "event": "ok" }
{ "type": "test", "name": "tests::b", "event": "failed", "stdout": "panicked" }
{ "type": "test", "name": "tests::c", "event": "ignored" }
{ "type": "suite", "event": "failed", "passed": 2, "failed": 1, "ignored": 1, "measured": 0, "filtered_out": 0, "exec_time": 0.01 }
)");
  auto tests = Tests(items);
  ASSERT_EQ(tests.size(), 3u);
  EXPECT_EQ(tests[0].suite, "tests");
  EXPECT_EQ(tests[0].name, "a");
  EXPECT_EQ(tests[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ(tests[2].outcome, TestOutcome::kSkipped);
  auto summaries = Summaries(items);
  ASSERT_EQ(summaries.size(), 1u);  // the one pass the per-test events did not name
  EXPECT_EQ(summaries[0].passed, 1);
  EXPECT_EQ(summaries[0].failed, 0);
  EXPECT_EQ(summaries[0].skipped, 0);
}

TEST(MetricParserTest, Lines) {
  ParsedMetric metric;
  ASSERT_TRUE(ParseMetricLine("METRIC membw_gbps=251.5 GB/s", metric));
  EXPECT_EQ(metric.name, "membw_gbps");
  EXPECT_DOUBLE_EQ(metric.value, 251.5);
  EXPECT_EQ(metric.unit, "GB/s");
  ASSERT_TRUE(ParseMetricLine("  METRIC tokens=9", metric));
  EXPECT_EQ(metric.unit, "");
  ASSERT_TRUE(ParseMetricLine("METRIC delta=-3e2", metric));
  EXPECT_DOUBLE_EQ(metric.value, -300);
  for (const char* bad : {"METRIC", "METRIC x", "METRIC =3", "METRIC x=abc", "METRIC x=1 a b",
                          "metric x=1", "METRIC 9x=1", "METRIC x=nan"}) {
    EXPECT_FALSE(ParseMetricLine(bad, metric)) << bad;
  }
}

TEST(OutputScannerTest, LinesSplitAcrossChunks) {
  OutputScanner scanner;
  std::vector<ParsedItem> items;
  scanner.Feed("METRIC a=", items);
  scanner.Feed("1\nMETRIC b=2", items);
  EXPECT_EQ(items.size(), 1u);
  scanner.Finish(items);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(std::get<ParsedMetric>(items[1]).name, "b");
}

TEST(OutputScannerTest, HugeLineIsBoundedAndNextLineStillParses) {
  OutputScanner scanner;
  std::vector<ParsedItem> items;
  std::string huge(1 << 20, 'x');
  scanner.Feed(huge, items);
  scanner.Feed("\nMETRIC after=1\n", items);
  ASSERT_EQ(items.size(), 1u);
}

TEST(JUnitParserTest, Report) {
  auto tests = ParseJUnitXml(R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="parser" tests="3">
    <testcase classname="parser.Ids" name="normalizes" time="0.004"/>
    <testcase classname="parser.Ids" name="rejects"><failure message="boom">trace</failure></testcase>
    <testcase name="later"><skipped/></testcase>
    <testcase name="broken"><error message="x"/></testcase>
  </testsuite>
</testsuites>)");
  ASSERT_TRUE(tests.ok()) << tests.status();
  ASSERT_EQ(tests->size(), 4u);
  EXPECT_EQ((*tests)[0].suite, "parser.Ids");
  EXPECT_DOUBLE_EQ((*tests)[0].seconds, 0.004);
  EXPECT_EQ((*tests)[1].outcome, TestOutcome::kFailed);
  EXPECT_EQ((*tests)[2].suite, "parser");
  EXPECT_EQ((*tests)[2].outcome, TestOutcome::kSkipped);
  EXPECT_EQ((*tests)[3].outcome, TestOutcome::kError);
}

TEST(JUnitParserTest, NotAReport) {
  EXPECT_FALSE(ParseJUnitXml("<html><body/></html>").ok());
  EXPECT_FALSE(ParseJUnitXml("not xml at all <<<").ok());
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<testsuite>";
  EXPECT_FALSE(ParseJUnitXml(deep).ok());
}

}  // namespace
}  // namespace wsfleet::worker
