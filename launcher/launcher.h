#pragma once

#include <map>
#include <string>
#include <vector>

#include "launcher/launch_decision.h"
#include "launcher/worker_demand.h"

// How workers come to exist. `static`: they are started by hand, systemd or a DaemonSet,
// and the coordinator has no launcher. An engine's launcher (Slurm's) asks the engine for
// worker jobs shaped by the work that waits, and gives up those no longer needed; its
// workers leave when idle, which ends their jobs.
namespace wsfleet::launcher {

// The label a worker started inside a Slurm job carries: the job's ID. The launcher matches
// its jobs to their workers by it, and a gang's ranks go to one job's workers.
inline constexpr const char* kSlurmJobLabel = "slurm.job_id";
// The label of a worker a launcher started: the shape (WorkerShape::Key) its job was asked
// for, the only work it takes.
inline constexpr const char* kShapeLabel = "launcher.shape";

// What a launcher has asked for and what it waits on, for status, `workers` and the wait
// reasons of the work.
struct LauncherView {
  std::vector<LaunchedJob> jobs;  // live ones
  // Why the engine refused a shape's job (sbatch's own words), by shape key; cleared when
  // a job of that shape is accepted.
  std::map<std::string, std::string> refused;
  std::string engine_error;  // the engine could not be asked at all (squeue failing)
};

// What the view says of each shape's work, for its wait reasons: "Slurm job 12 pending
// (Resources)", "Slurm job 12 starting", "sbatch refused: ...", by WorkerShape::Key.
std::map<std::string, std::string> NotesByShape(const LauncherView& view);

class Launcher {
 public:
  virtual ~Launcher() = default;
  // From the coordinator's loop, about once a second: the work that waits for workers, by
  // shape (most urgent first), and how many workers of each job have joined the fleet.
  virtual void Update(std::vector<Demand> demand, std::map<std::string, int> joined_by_job) = 0;
  virtual LauncherView View() const = 0;
  // Gives up every job it asked for, started or not (`wsfleet cancel --all`).
  virtual void CancelAll() = 0;
};

}  // namespace wsfleet::launcher
