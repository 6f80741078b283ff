#include "launcher/launch_decision.h"
#include "launcher/launcher.h"

#include <gtest/gtest.h>

namespace wsfleet::launcher {
namespace {

WorkerShape Shape(uint32_t gpus, int nodes = 1) {
  WorkerShape shape;
  shape.gpus = gpus;
  shape.nodes = nodes;
  return shape;
}

LaunchedJob Job(const std::string& id, const WorkerShape& shape, JobState state, int second = 0) {
  LaunchedJob job;
  job.id = id;
  job.shape = shape;
  job.state = state;
  job.submitted = common::SteadyTime{} + std::chrono::seconds(second);
  return job;
}

TEST(LaunchDecisionTest, AsksForAJobPerGpuWorkstreamAndGangAndFillsWorkersOfTheRest) {
  LaunchLimits limits;
  limits.workstreams_per_job = 4;
  LaunchDecision decision = DecideLaunches({{Shape(0), 9}, {Shape(2), 2}, {Shape(1, 2), 1}}, {}, limits);
  int cpu = 0, gpu = 0, gang = 0;
  for (const WorkerShape& shape : decision.submit) {
    if (shape.nodes > 1) ++gang;
    else if (shape.gpus > 0) ++gpu;
    else ++cpu;
  }
  EXPECT_EQ(cpu, 3) << "9 workstreams, 4 to a worker";
  EXPECT_EQ(gpu, 2);
  EXPECT_EQ(gang, 1);
  EXPECT_TRUE(decision.cancel.empty());
}

TEST(LaunchDecisionTest, CountsWhatIsOnItsWayAndLeavesJoinedWorkersAlone) {
  LaunchLimits limits;
  std::vector<LaunchedJob> jobs = {Job("1", Shape(0), JobState::kPending), Job("2", Shape(0), JobState::kStarting),
                                   Job("3", Shape(0), JobState::kJoined), Job("4", Shape(0), JobState::kEnded)};
  LaunchDecision decision = DecideLaunches({{Shape(0), 3}}, jobs, limits);
  EXPECT_EQ(decision.submit.size(), 1u) << "3 wanted, 2 coming: the joined worker is busy elsewhere";
  EXPECT_TRUE(decision.cancel.empty());
}

TEST(LaunchDecisionTest, GivesUpTheNewestPendingJobsNoLongerWanted) {
  LaunchLimits limits;
  std::vector<LaunchedJob> jobs = {Job("10", Shape(1), JobState::kPending, 1), Job("11", Shape(1), JobState::kStarting, 2),
                                   Job("12", Shape(1), JobState::kPending, 3), Job("13", Shape(1), JobState::kPending, 4),
                                   Job("20", Shape(0), JobState::kJoined, 1)};
  LaunchDecision decision = DecideLaunches({{Shape(1), 2}}, jobs, limits);
  EXPECT_EQ(decision.cancel, (std::vector<std::string>{"13", "12"})) << "4 coming, 2 wanted; a started one stays";
  EXPECT_TRUE(decision.submit.empty());
  decision = DecideLaunches({}, jobs, limits);
  EXPECT_EQ(decision.cancel, (std::vector<std::string>{"13", "12", "10"})) << "nothing waits: every pending job goes";
}

TEST(LaunchDecisionTest, NeverAsksForMoreNodesThanMaxWorkersInAll) {
  LaunchLimits limits;
  limits.max_workers = 5;
  std::vector<LaunchedJob> jobs = {Job("1", Shape(0), JobState::kJoined), Job("2", Shape(0), JobState::kJoined)};
  // The most urgent shape first: a 2-node gang fits beside the two workers; then one more node.
  LaunchDecision decision = DecideLaunches({{Shape(4, 2), 1}, {Shape(0), 10}}, jobs, limits);
  ASSERT_EQ(decision.submit.size(), 2u);
  EXPECT_EQ(decision.submit[0].nodes, 2);
  EXPECT_EQ(decision.submit[1].nodes, 1);
  limits.max_workers = 3;
  decision = DecideLaunches({{Shape(4, 2), 1}, {Shape(0), 10}}, jobs, limits);
  ASSERT_EQ(decision.submit.size(), 1u) << "the gang does not fit; a single node does";
  EXPECT_EQ(decision.submit[0].nodes, 1);
}

TEST(LaunchDecisionTest, ShapesDifferByTimeAndConstraints) {
  WorkerShape a = Shape(1), b = Shape(1);
  b.time_limit = std::chrono::minutes(90);
  EXPECT_NE(a.Key(), b.Key());
  WorkerShape c = b;
  c.environment = {"arch=arm64"};
  EXPECT_NE(b.Key(), c.Key());
  WorkerShape d = c;
  d.labels = {{"rack", "a"}};
  EXPECT_NE(c.Key(), d.Key());
  EXPECT_EQ(d.Describe(), "1 GPU, 90 min, rack=a, arch=arm64");
  LaunchDecision decision = DecideLaunches({{a, 1}, {b, 1}, {a, 1}}, {}, LaunchLimits{});
  EXPECT_EQ(decision.submit.size(), 3u) << "a shape listed twice counts both, asked for once";
}

TEST(LauncherNotesTest, SayWhatEachShapesJobsAreDoing) {
  LauncherView view;
  view.jobs = {Job("12", Shape(4), JobState::kPending), Job("13", Shape(4), JobState::kStarting),
               Job("14", Shape(0), JobState::kJoined)};
  view.jobs[0].reason = "Resources";
  view.refused[Shape(8).Key()] = "sbatch exit 1: sbatch: error: Requested node configuration is not available";
  std::map<std::string, std::string> notes = NotesByShape(view);
  EXPECT_EQ(notes[Shape(4).Key()], "Slurm job 12 pending: Resources; Slurm job 13 starting");
  EXPECT_EQ(notes[Shape(8).Key()], "sbatch exit 1: sbatch: error: Requested node configuration is not available");
  EXPECT_EQ(notes.count(Shape(0).Key()), 0u) << "a joined worker's work waits for a slot, not for Slurm";
  view.engine_error = "squeue exit 1: slurm_load_jobs error: Unable to contact slurm controller";
  EXPECT_EQ(NotesByShape(view)[Shape(8).Key()],
            "sbatch exit 1: sbatch: error: Requested node configuration is not available; squeue exit 1: "
            "slurm_load_jobs error: Unable to contact slurm controller");
}

}  // namespace
}  // namespace wsfleet::launcher
