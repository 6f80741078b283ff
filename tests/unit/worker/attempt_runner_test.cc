#include "worker/attempt_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "tests/support/fake_clock.h"

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

class AttemptRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-attempt-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    options_.worker_id = "w1";
    options_.workdir = dir_.string();
    options_.base_env = {"PATH=/usr/bin:/bin", "WSFLEET_ATTEMPT_ID=stale", "CUDA_VISIBLE_DEVICES=7"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  v1::AttemptSpec Spec(const std::vector<std::string>& scripts) {
    v1::AttemptSpec spec;
    spec.set_attempt_id("WS-01-a1-x");
    spec.set_workstream_id("WS-01");
    spec.set_attempt_number(1);
    spec.add_gpu_indices(2);
    spec.add_gpu_indices(3);
    for (size_t i = 0; i < scripts.size(); ++i) {
      v1::StepSpec& step = *spec.add_steps();
      step.set_name("test " + std::to_string(i + 1));
      step.set_script(scripts[i]);
      step.set_file("card.md");
      step.set_line(10);
    }
    return spec;
  }

  // Runs to the end and returns every event.
  std::vector<v1::Event> Run(const v1::AttemptSpec& spec) {
    std::vector<v1::Event> events;
    std::mutex mutex;
    std::condition_variable done;
    bool finished = false;
    {
      AttemptRunner runner(spec, options_, [&](v1::Event event) {
        std::lock_guard<std::mutex> lock(mutex);
        finished = finished || event.has_finished();
        events.push_back(std::move(event));
        done.notify_all();
      });
      runner.Start();
      std::unique_lock<std::mutex> lock(mutex);
      done.wait_for(lock, std::chrono::seconds(30), [&] { return finished; });
    }
    return events;
  }

  static const v1::AttemptFinished* Finished(const std::vector<v1::Event>& events) {
    for (const v1::Event& event : events) {
      if (event.has_finished()) return &event.finished();
    }
    return nullptr;
  }
  static std::string Output(const std::vector<v1::Event>& events) {
    std::string out;
    for (const v1::Event& event : events) {
      if (event.has_log()) out += event.log().data();
    }
    return out;
  }

  fs::path dir_;
  AttemptRunnerOptions options_;
};

TEST_F(AttemptRunnerTest, EnvironmentNamesTheAttemptAndItsGpus) {
  auto events = Run(Spec({"echo $WSFLEET_WORKSTREAM_ID $WSFLEET_ATTEMPT_ID $CUDA_VISIBLE_DEVICES; pwd"}));
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
  EXPECT_EQ(Output(events), "WS-01 WS-01-a1-x 2,3\n" + dir_.string() + "\n");
}

TEST_F(AttemptRunnerTest, EventTimesComeFromItsTimeSource) {
  testing::FakeClock clock;  // its wall clock stands at 1800000000 s
  options_.time = &clock;
  auto events = Run(Spec({"true"}));
  ASSERT_NE(Finished(events), nullptr);
  for (const v1::Event& event : events) EXPECT_EQ(event.time_unix_ms(), 1'800'000'000'000) << event.ShortDebugString();
}

TEST_F(AttemptRunnerTest, AFailedAttemptEndsWithTheLastOfItsOutput) {
  auto events = Run(Spec({"head -c 4000 /dev/zero | tr '\\0' x; echo; echo 'expected 2, got 3' >&2; exit 1"}));
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_FAILED);
  const std::string& tail = Finished(events)->log_tail();
  EXPECT_EQ(tail.size(), 3000u);
  EXPECT_TRUE(tail.ends_with("x\nexpected 2, got 3\n")) << tail.substr(tail.size() - 40);
  auto passed = Run(Spec({"echo fine"}));
  EXPECT_TRUE(Finished(passed)->log_tail().empty()) << "only a failure carries it";
}

TEST_F(AttemptRunnerTest, TestsAndMetricsAreParsedFromOutput) {
  auto events = Run(Spec({"echo '[       OK ] A.B (1 ms)'; echo 'METRIC gbps=12.5 GB/s'"}));
  int tests = 0, metrics = 0;
  for (const auto& event : events) {
    tests += event.has_test() ? 1 : 0;
    if (event.has_metric()) {
      ++metrics;
      EXPECT_EQ(event.metric().name(), "gbps");
      EXPECT_EQ(event.metric().unit(), "GB/s");
    }
  }
  EXPECT_EQ(tests, 1);
  EXPECT_EQ(metrics, 1);
}

TEST_F(AttemptRunnerTest, AFailingStepStopsTheAttemptAndSaysWhere) {
  auto events = Run(Spec({"exit 4", "echo never"}));
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_FAILED);
  EXPECT_EQ(Finished(events)->message(), "test 1 (card.md:10): exit 4");
  EXPECT_EQ(Output(events), "");
}

TEST_F(AttemptRunnerTest, AStepKilledAsTheWorkerIsStoppedFromOutsideIsHandedBackNotFailed) {
  // Slurm's scancel signals every process of the job: the worker and its steps alike.
  StopNotice notice;
  options_.stop_notice = &notice;
  notice.Set("SIGTERM");
  auto events = Run(Spec({"kill -TERM $$"}));
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_HANDED_BACK) << Finished(events)->message();
  EXPECT_NE(Finished(events)->message().find("as w1 was being stopped (SIGTERM)"), std::string::npos)
      << Finished(events)->message();
  // A crash is the card's, stopping or not.
  events = Run(Spec({"kill -SEGV $$"}));
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_FAILED);
}

TEST_F(AttemptRunnerTest, AStepKilledWhileTheWorkerRunsOnFails) {
  StopNotice notice;  // never set: nobody stops the worker
  options_.stop_notice = &notice;
  auto events = Run(Spec({"kill -TERM $$"}));
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_FAILED);
  EXPECT_EQ(Finished(events)->message(), "test 1 (card.md:10): killed by SIGTERM");
}

TEST_F(AttemptRunnerTest, OutputOverTheCapKeepsItsHeadAndItsTail) {
  options_.output_cap_bytes = 1000;
  options_.output_tail_bytes = 100;
  // The verdict comes last, where a runner prints it.
  auto events = Run(Spec({"head -c 5000 /dev/zero | tr '\\0' x; echo; echo 'VERDICT: 3 failed'"}));
  std::string output = Output(events);
  EXPECT_EQ(output.substr(0, 1000), std::string(1000, 'x'));
  EXPECT_NE(output.find("[wsfleet: 3919 bytes of output over the cap dropped here]"), std::string::npos) << output;
  EXPECT_EQ(output.substr(output.size() - 18), "VERDICT: 3 failed\n");
  const v1::StepFinished* step = nullptr;
  for (const auto& event : events) {
    if (event.has_step_finished()) step = &event.step_finished();
  }
  ASSERT_NE(step, nullptr);
  EXPECT_TRUE(step->output_capped());
  EXPECT_EQ(step->output_dropped_bytes(), 3919u);  // 5019 written, 1000 + 100 kept
}

TEST_F(AttemptRunnerTest, OutputOverTheCapIsCountedNotSilentlyDropped) {
  options_.output_cap_bytes = 1000;
  options_.output_tail_bytes = 0;
  auto events = Run(Spec({"head -c 5000 /dev/zero | tr '\\0' x"}));
  EXPECT_EQ(Output(events), std::string(1000, 'x') + "\n[wsfleet: 4000 bytes of output over the cap dropped here]\n");
  const v1::StepFinished* step = nullptr;
  for (const auto& event : events) {
    if (event.has_step_finished()) step = &event.step_finished();
  }
  ASSERT_NE(step, nullptr);
  EXPECT_TRUE(step->output_capped());
  EXPECT_EQ(step->output_dropped_bytes(), 4000u);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_SUCCEEDED);
}

TEST_F(AttemptRunnerTest, DeliverableFilesHaveTheirLinesCounted) {
  v1::AttemptSpec spec = Spec({"mkdir -p out && printf 'a\\nb\\nc' > out/three && printf 'x\\n' > out/one"});
  spec.add_deliverable_paths("out/three");
  spec.add_deliverable_paths("out/one");
  spec.add_deliverable_paths("out");  // a directory: found, not counted
  std::map<std::string, std::pair<bool, uint64_t>> seen;
  for (const auto& event : Run(spec)) {
    if (event.has_deliverable()) seen[event.deliverable().path()] = {event.deliverable().counted(), event.deliverable().lines()};
  }
  EXPECT_EQ(seen.at("out/three"), std::make_pair(true, uint64_t{3}));
  EXPECT_EQ(seen.at("out/one"), std::make_pair(true, uint64_t{1}));
  EXPECT_EQ(seen.at("out"), std::make_pair(false, uint64_t{0}));
}

TEST_F(AttemptRunnerTest, DeliverablesAreCheckedAfterSuccess) {
  v1::AttemptSpec spec = Spec({"mkdir -p out && touch out/made"});
  spec.add_deliverable_paths("out/made");
  spec.add_deliverable_paths("out/missing");
  std::map<std::string, bool> found;
  for (const auto& event : Run(spec)) {
    if (event.has_deliverable()) found[event.deliverable().path()] = event.deliverable().exists();
  }
  EXPECT_TRUE(found.at("out/made"));
  EXPECT_FALSE(found.at("out/missing"));
}

TEST_F(AttemptRunnerTest, AStepTimeoutEndsTheAttemptAsTimedOut) {
  v1::AttemptSpec spec = Spec({"sleep 30"});
  spec.set_timeout_seconds(1);
  options_.kill_grace = std::chrono::milliseconds(200);
  auto events = Run(spec);
  ASSERT_NE(Finished(events), nullptr);
  EXPECT_EQ(Finished(events)->outcome(), v1::ATTEMPT_OUTCOME_TIMED_OUT);
}

TEST_F(AttemptRunnerTest, JUnitReportsTheStepWritesAreRead) {
  auto events = Run(Spec({"cat > report.xml <<'X'\n<testsuite name='s'><testcase name='a'/>"
                          "<testcase name='b'><failure/></testcase></testsuite>\nX\n"
                          "echo wrote junit xml"}));
  int passed = 0, failed = 0;
  for (const auto& event : events) {
    if (!event.has_test() || event.test().framework() != "junit") continue;
    (event.test().status() == v1::TEST_STATUS_PASSED ? passed : failed)++;
  }
  EXPECT_EQ(passed, 1);
  EXPECT_EQ(failed, 1);
}

// Tests counted over the attempt's events: a TestCase each, plus what summaries add.
std::pair<int, int> PassedFailed(const std::vector<v1::Event>& events) {
  int passed = 0, failed = 0;
  for (const auto& event : events) {
    if (event.has_test()) (event.test().status() == v1::TEST_STATUS_PASSED ? passed : failed)++;
    if (event.has_test_summary()) {
      passed += static_cast<int>(event.test_summary().passed());
      failed += static_cast<int>(event.test_summary().failed());
    }
  }
  return {passed, failed};
}

TEST_F(AttemptRunnerTest, AReportIsCountedOnceThoughALaterStepNamesIt) {
  auto events = Run(Spec({"mkdir -p out && cat > out/junit.xml <<'X'\n<testsuite name='s'><testcase classname='S' "
                          "name='a'/><testcase classname='S' name='b'><failure/></testcase></testsuite>\nX\n"
                          "echo --junitxml=out/junit.xml",
                          "test -f out/junit.xml"}));
  EXPECT_EQ(PassedFailed(events), std::make_pair(1, 1));
}

TEST_F(AttemptRunnerTest, TestsPrintedAndInTheirReportAreCountedOnce) {
  // GoogleTest's own lines and the XML it writes with --gtest_output name the same tests.
  auto events = Run(Spec({"printf '[ RUN      ] A.b\\n[       OK ] A.b (0 ms)\\n[ RUN      ] A.c\\n"
                          "[  FAILED  ] A.c (1 ms)\\n'\n"
                          "cat > unit.xml <<'X'\n<testsuites><testsuite name='A'><testcase classname='A' name='b'/>"
                          "<testcase classname='A' name='c'><failure/></testcase></testsuite></testsuites>\nX\n"
                          ": --gtest_output=xml:unit.xml"}));
  EXPECT_EQ(PassedFailed(events), std::make_pair(1, 1));
}

TEST_F(AttemptRunnerTest, AQuietRunnersCountGivesWayToItsReport) {
  // pytest -q prints only "2 passed, 1 failed"; its --junitxml report names the three.
  auto events = Run(Spec({"echo '=== 2 passed, 1 failed in 0.1s ==='\n"
                          "cat > junit.xml <<'X'\n<testsuite name='pytest'><testcase classname='t' name='a'/>"
                          "<testcase classname='t' name='b'/><testcase classname='t' name='c'><failure/></testcase>"
                          "</testsuite>\nX\n: --junitxml=junit.xml"}));
  EXPECT_EQ(PassedFailed(events), std::make_pair(2, 1));
  int summaries = 0;
  for (const auto& event : events) summaries += event.has_test_summary();
  EXPECT_EQ(summaries, 0);
}

TEST_F(AttemptRunnerTest, TestsCarryTheKindTheirStepSays) {
  v1::AttemptSpec spec = Spec({"printf '[ RUN      ] A.b\\n[       OK ] A.b (0 ms)\\n'",
                               "# integration tests\nprintf '[ RUN      ] I.c\\n[       OK ] I.c (0 ms)\\n'"});
  spec.mutable_steps(0)->set_heading("Unit Tests");
  std::map<std::string, std::string> kinds;
  for (const auto& event : Run(spec)) {
    if (event.has_test()) kinds[event.test().suite() + "." + event.test().name()] = event.test().kind();
  }
  EXPECT_EQ(kinds, (std::map<std::string, std::string>{{"A.b", "unit"}, {"I.c", "integration"}}));
}

TEST(AgentCommandTest, PlaceholdersAreShellQuoted) {
  EXPECT_EQ(ExpandAgentCommand("run {prompt} --id {id} {unknown}",
                               {{"prompt", "/tmp/it's here.md"}, {"id", "WS-01"}}),
            "run '/tmp/it'\\''s here.md' --id 'WS-01' {unknown}");
}

}  // namespace
}  // namespace wsfleet::worker
