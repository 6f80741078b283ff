#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "launcher/worker_demand.h"

// How many worker jobs to ask for and which to give up, from the unmet demand and the jobs
// already asked for: the launcher's arithmetic, apart from any engine so that it is tested
// on its own.
namespace wsfleet::launcher {

enum class JobState {
  kPending,   // queued by the engine, not started
  kStarting,  // started, its worker not joined yet
  kJoined,    // its worker (every node's, for a gang) has joined the fleet
  kEnded,     // gone from the engine's queue
};

struct LaunchedJob {
  std::string id;
  WorkerShape shape;
  JobState state = JobState::kPending;
  std::string reason;  // why the engine holds it pending (Slurm: Resources, Priority...)
  std::string engine_state;  // the engine's own word for its state (Slurm: PENDING, RUNNING...)
  int64_t submitted_unix_ms = 0;  // wall clock, for people; 0: adopted
  common::SteadyTime submitted{};
};

struct LaunchLimits {
  int max_workers = 16;       // worker nodes asked for at once, every job's together
  int workstreams_per_job = 1;  // what one worker of a shape without GPUs runs at once (its slots)
};

struct LaunchDecision {
  std::vector<WorkerShape> submit;  // one job each
  std::vector<std::string> cancel;  // pending jobs no longer wanted
};

// Per shape: the jobs its waiting work needs (a job per gang or GPU workstream; one per
// `workstreams_per_job` of the rest), less those pending or starting, asked for within
// max_workers; pending jobs beyond what their shape needs are given up, newest first.
// Jobs whose workers joined are left alone: their workers leave when idle (--idle-exit).
LaunchDecision DecideLaunches(const std::vector<Demand>& demand, const std::vector<LaunchedJob>& jobs,
                              const LaunchLimits& limits);

}  // namespace wsfleet::launcher
