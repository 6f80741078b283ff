#include "worker/step_runner.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace wsfleet::worker {
namespace {

using namespace std::chrono_literals;

class CollectingSink : public OutputSink {
 public:
  void OnOutput(OutputStream stream, std::string_view data) override {
    (stream == OutputStream::kStdout ? out : err).append(data);
  }
  std::string out, err;
};

StepLaunch Bash(const std::string& script) {
  StepLaunch launch;
  launch.argv = {"/bin/bash", "-eo", "pipefail", "-c", script};
  launch.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
  return launch;
}

TEST(StepRunnerTest, CapturesBothStreamsAndTheExitCode) {
  CollectingSink sink;
  StepResult result = StepRunner().Run(Bash("echo out; echo err >&2; echo $GREETING; exit 3"), sink);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.succeeded());
  EXPECT_EQ(sink.out, "out\nhello\n");
  EXPECT_EQ(sink.err, "err\n");
}

TEST(StepRunnerTest, RunsInTheWorkdirWithStdinFromDevNull) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "wsfleet-step-workdir";
  std::filesystem::create_directories(dir);
  CollectingSink sink;
  StepLaunch launch = Bash("pwd; cat; echo done");
  launch.workdir = dir.string();
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_TRUE(result.succeeded()) << result.Describe();
  EXPECT_EQ(sink.out, dir.string() + "\ndone\n");
  std::filesystem::remove_all(dir);
}

TEST(StepRunnerTest, MissingWorkdirOrProgramIsAnErrorNotACrash) {
  CollectingSink sink;
  StepLaunch launch = Bash("true");
  launch.workdir = "/nonexistent/wsfleet";
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_FALSE(result.started);
  EXPECT_NE(result.error.find("/nonexistent/wsfleet"), std::string::npos);
  launch = Bash("true");
  launch.argv[0] = "/nonexistent/bash";
  EXPECT_FALSE(StepRunner().Run(launch, sink).started);
}

TEST(StepRunnerTest, TimeoutKillsAGroupThatIgnoresSigterm) {
  CollectingSink sink;
  // The child and a grandchild both ignore SIGTERM; only SIGKILL to the group ends them.
  StepLaunch launch = Bash("trap '' TERM; (trap '' TERM; sleep 30) & echo started; sleep 30");
  launch.timeout = 300ms;
  launch.kill_grace = 200ms;
  auto begin = std::chrono::steady_clock::now();
  StepResult result = StepRunner().Run(launch, sink);
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(sink.out, "started\n");
  EXPECT_LT(took, 10s);  // bounded by timeout + grace, not by the sleeps
  EXPECT_NE(result.Describe().find("SIGKILL after timeout"), std::string::npos);
}

TEST(StepRunnerTest, AStepSilentForItsHangTimeoutIsKilledAsHung) {
  CollectingSink sink;
  StepLaunch launch = Bash("echo working; sleep 30");
  launch.hang_timeout = 300ms;
  launch.kill_grace = 200ms;
  auto begin = std::chrono::steady_clock::now();
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 10s);
  EXPECT_TRUE(result.hung);
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.succeeded());
  EXPECT_EQ(sink.out, "working\n");
  EXPECT_NE(result.Describe().find("(hung)"), std::string::npos) << result.Describe();
}

TEST(StepRunnerTest, OutputKeepsAStepFromBeingHung) {
  CollectingSink sink;
  // Ten outputs 100 ms apart: a second in all, never silent for the 600 ms hang timeout.
  StepLaunch launch = Bash("for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.1; done");
  launch.hang_timeout = 600ms;
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_TRUE(result.succeeded()) << result.Describe();
  EXPECT_FALSE(result.hung);
}

TEST(StepRunnerTest, LeftoverBackgroundProcessesDoNotHoldTheStepOpen) {
  CollectingSink sink;
  auto begin = std::chrono::steady_clock::now();
  StepResult result = StepRunner().Run(Bash("sleep 30 & echo left"), sink);
  EXPECT_TRUE(result.succeeded()) << result.Describe();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 10s);
}

bool Alive(pid_t pid) {
  // A zombie (not reaped yet by whoever inherited it) is dead for this purpose.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

pid_t WaitForPidFile(const std::filesystem::path& file) {
  for (int i = 0; i < 100 && !std::filesystem::exists(file); ++i) std::this_thread::sleep_for(20ms);
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  return pid;
}

// claude's Bash tool runs a background command in a session of its own: outside the step's
// process group, but not outside the step.
TEST(StepRunnerTest, ProcessesThatLeftTheGroupEndWithTheStep) {
  auto dir = std::filesystem::temp_directory_path() / ("wsfleet-sweep-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (bool cancelled : {false, true}) {
    std::filesystem::path file = dir / (cancelled ? "cancelled.pid" : "exited.pid");
    CollectingSink sink;
    StepRunner runner;
    std::thread canceller;
    if (cancelled) {
      canceller = std::thread([&] {
        WaitForPidFile(file);
        runner.Cancel();
      });
    }
    std::string script = "setsid sleep 300 < /dev/null > /dev/null 2>&1 & echo $! > " + file.string() +
                         (cancelled ? "; sleep 30" : "; sleep 0.1");
    StepLaunch launch = Bash(script);
    launch.kill_grace = 200ms;
    runner.Run(launch, sink);
    if (canceller.joinable()) canceller.join();
    pid_t escaped = WaitForPidFile(file);
    ASSERT_GT(escaped, 0);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      gone = !Alive(escaped);
      if (!gone) std::this_thread::sleep_for(20ms);
    }
    EXPECT_TRUE(gone) << (cancelled ? "cancelled" : "exited") << ": pid " << escaped << " outlived its step";
    if (!gone) ::kill(escaped, SIGKILL);
  }
  std::filesystem::remove_all(dir);
}

TEST(StepRunnerTest, AStepThatClosesItsOutputStillGetsItsTimeout) {
  CollectingSink sink;
  StepLaunch launch = Bash("exec >&- 2>&-; sleep 30");
  launch.timeout = 200ms;
  launch.kill_grace = 100ms;
  StepResult result = StepRunner().Run(launch, sink);
  EXPECT_TRUE(result.timed_out);
}

TEST(StepRunnerTest, CancelFromAnotherThreadTerminatesTheGroup) {
  CollectingSink sink;
  StepRunner runner;
  std::thread canceller([&] {
    std::this_thread::sleep_for(200ms);
    runner.Cancel();
  });
  StepResult result = runner.Run(Bash("sleep 30"), sink);
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(result.signal, SIGTERM);
}

TEST(StepRunnerTest, LargeOutputArrivesWhole) {
  CollectingSink sink;
  StepResult result = StepRunner().Run(Bash("head -c 5000000 /dev/zero | tr '\\0' x"), sink);
  EXPECT_TRUE(result.succeeded()) << result.Describe();
  EXPECT_EQ(sink.out.size(), 5000000u);
}

}  // namespace
}  // namespace wsfleet::worker
