#include "launcher/slurm_commands.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "launcher/command_runner.h"

namespace wsfleet::launcher {
namespace {

bool Has(const std::vector<std::string>& argv, const std::string& arg) {
  return std::find(argv.begin(), argv.end(), arg) != argv.end();
}

TEST(SlurmCommandsTest, SbatchAsksForWhatTheShapeNeeds) {
  SlurmSettings settings;
  settings.partition = "gpu";
  settings.account = "proj";
  settings.qos = "high";
  settings.job_name = "wsfleet-abc";
  settings.log_dir = "/state/launcher";
  settings.extra_sbatch_args = {"--exclusive"};
  WorkerShape shape;
  shape.gpus = 4;
  shape.nodes = 2;
  shape.time_limit = std::chrono::minutes(75);
  shape.environment = {"gpu=GB10", "arch=arm64"};
  std::vector<std::string> argv = SbatchCommand(settings, shape, "/state/worker.sh").value();
  EXPECT_EQ(argv.front(), "sbatch");
  EXPECT_EQ(argv.back(), "/state/worker.sh");
  for (const char* arg : {"--parsable", "--job-name=wsfleet-abc", "--output=/state/launcher/%j.out", "--partition=gpu",
                          "--account=proj", "--qos=high", "--nodes=2", "--ntasks-per-node=1", "--gres=gpu:4",
                          "--time=75", "--constraint=gb10&arm64", "--exclusive"}) {
    EXPECT_TRUE(Has(argv, arg)) << arg;
  }
  argv = SbatchCommand(SlurmSettings{}, WorkerShape{}, "w.sh").value();
  EXPECT_FALSE(std::any_of(argv.begin(), argv.end(), [](const std::string& a) {
    return a.rfind("--gres", 0) == 0 || a.rfind("--time", 0) == 0 || a.rfind("--partition", 0) == 0 ||
           a.rfind("--constraint", 0) == 0;
  })) << "nothing asked that the shape does not need";
}

TEST(SlurmCommandsTest, LabelsAndEnvironmentBecomeTheSitesNodeFeatures) {
  SlurmSettings settings;
  WorkerShape shape;
  shape.environment = {"arch=arm64", "gpu=GB10", "os=ubuntu 22.04", "cuda>=13.0", "python>=3.10"};
  // Without a mapping: the architecture and GPU by their common names; the rest is the
  // worker's probe's to check.
  EXPECT_EQ(SlurmFeatures(settings, shape).value(), (std::vector<std::string>{"arm64", "gb10"}));
  settings.features = {{"gpu=GB10", "dgx_spark"}, {"arch=arm64", ""}, {"cuda>=13.0", "cuda13"}, {"rack=a", "rack_a"}};
  shape.labels = {{"rack", "a"}};
  EXPECT_EQ(SlurmFeatures(settings, shape).value(), (std::vector<std::string>{"rack_a", "dgx_spark", "cuda13"}))
      << "mapped names; a need mapped to nothing asks for nothing";
  EXPECT_TRUE(Has(SbatchCommand(settings, shape, "w.sh").value(), "--constraint=rack_a&dgx_spark&cuda13"));
  shape.labels["pool"] = "batch";
  absl::StatusOr<std::vector<std::string>> unmapped = SbatchCommand(settings, shape, "w.sh");
  ASSERT_FALSE(unmapped.ok()) << "no job could promise a label the site has no feature for";
  EXPECT_NE(unmapped.status().message().find("pool=batch"), std::string::npos) << unmapped.status();
  EXPECT_NE(unmapped.status().message().find("slurm.features"), std::string::npos) << unmapped.status();
}

TEST(SlurmCommandsTest, TheScriptRunsAWorkerPerNodeThatTheShellReadsBackExactly) {
  // The worker binary in a directory whose name needs quoting: a program printing its
  // arguments, one a line.
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("wsfleet it's " + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string printer = (dir / "wsfleet").string();
  {
    std::ofstream file(printer);
    file << "#!/bin/sh\nprintf '%s\\n' \"$@\"\n";
  }
  std::filesystem::permissions(printer, std::filesystem::perms::owner_all);
  SlurmSettings settings;
  settings.wsfleet = printer;
  settings.coordinator = "coord.example:7443";
  settings.workdir = "/shared/project";
  settings.idle_exit_seconds = 120;
  settings.worker_args = {"--label", "pool=a b"};
  WorkerShape shape;
  shape.gpus = 2;
  shape.labels = {{"rack", "a"}};
  std::string script = WorkerScript(settings, shape);
  EXPECT_EQ(script.rfind("#!/bin/sh\n", 0), 0u);
  // As each node runs it, without srun in between (the Slurm integration test has srun).
  const std::string srun = "exec srun --ntasks-per-node=1 --kill-on-bad-exit=0 ";
  size_t at = script.find(srun);
  ASSERT_NE(at, std::string::npos) << script;
  script.replace(at, srun.size(), "exec ");
  CommandResult result = RunCommand({"env", "SLURM_JOB_ID=77", "SLURM_NODEID=1", "sh", "-c", script},
                                    std::chrono::seconds(10));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(result.ok()) << result.Describe();
  EXPECT_EQ(result.output,
            "worker\n--coordinator\ncoord.example:7443\n--id\nwsfleet-77-1\n--idle-exit\n120s\n--workdir\n"
            "/shared/project\n--gpus\n0,1\n--label\nlauncher.shape=" + shape.Key() + "\n--label\nrack=a\n--label\npool=a b\n")
      << "the job's nodes have its labels (its features), so its worker says so";
}

TEST(SlurmCommandsTest, ReadsSbatchAndSqueue) {
  EXPECT_EQ(*ParseSbatchOutput("1234\n"), "1234");
  EXPECT_EQ(*ParseSbatchOutput("1234;cluster2\n"), "1234");
  EXPECT_FALSE(ParseSbatchOutput("sbatch: error: Batch job submission failed\n").ok());
  EXPECT_FALSE(ParseSbatchOutput("").ok());
  std::map<std::string, SqueueJob> jobs =
      ParseSqueueOutput("41|RUNNING|None\n42|PENDING|Resources\n garbage\n43|PENDING|QOSMaxGRESPerUser\n");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs["41"].state, "RUNNING");
  EXPECT_EQ(jobs["42"].reason, "Resources");
  EXPECT_EQ(jobs["43"].reason, "QOSMaxGRESPerUser");
  EXPECT_TRUE(ParseSqueueOutput("").empty());
  EXPECT_EQ(JobStateOf("PENDING"), JobState::kPending);
  EXPECT_EQ(JobStateOf("SUSPENDED"), JobState::kPending);
  EXPECT_EQ(JobStateOf("RUNNING"), JobState::kStarting);
  EXPECT_EQ(JobStateOf("CONFIGURING"), JobState::kStarting);
  EXPECT_EQ(JobStateOf("COMPLETING"), JobState::kEnded) << "its worker is gone: not on its way";
  EXPECT_EQ(JobStateOf("PREEMPTED"), JobState::kEnded);
  EXPECT_EQ(JobStateOf("CANCELLED"), JobState::kEnded);
}

TEST(CommandRunnerTest, KeepsWhatTheCommandSaidAndHowItEnded) {
  CommandResult result = RunCommand({"sh", "-c", "echo out; echo 'sbatch: error: no partition' >&2; exit 3"},
                                    std::chrono::seconds(10));
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "out\n");
  EXPECT_EQ(result.Describe(), "exit 3: sbatch: error: no partition");
  result = RunCommand({"wsfleet-no-such-command"}, std::chrono::seconds(10));
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.Describe().find("wsfleet-no-such-command"), std::string::npos) << result.Describe();
  auto start = std::chrono::steady_clock::now();
  result = RunCommand({"sleep", "30"}, std::chrono::milliseconds(200));
  EXPECT_FALSE(result.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "killed at its limit";
  EXPECT_NE(result.Describe().find("did not finish"), std::string::npos);
}

}  // namespace
}  // namespace wsfleet::launcher
