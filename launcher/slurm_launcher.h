#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "launcher/launcher.h"
#include "launcher/slurm_commands.h"

namespace wsfleet::launcher {

// Worker jobs through Slurm's commands, on a thread of its own (sbatch and squeue can take
// seconds on a busy controller; the coordinator's loop never waits for them). Each second,
// or at once on an Update: squeue for its jobs (by job name), DecideLaunches, then scancel
// what is no longer wanted and sbatch what is missing. A shape sbatch refused is asked
// again after a pause, its refusal kept for the wait reasons. Jobs found in squeue under
// its name that it did not submit (a coordinator restarted) are adopted.
class SlurmLauncher : public Launcher {
 public:
  // `script_dir`: where the jobs' scripts are written (the coordinator's state directory).
  SlurmLauncher(SlurmSettings settings, LaunchLimits limits, std::string script_dir);
  ~SlurmLauncher() override;  // stops its thread; the jobs stay (their workers rejoin the next coordinator)

  void Update(std::vector<Demand> demand, std::map<std::string, int> joined_by_job) override;
  LauncherView View() const override;
  void CancelAll() override;

 private:
  void Run();
  void Tick();
  void Refresh(std::vector<LaunchedJob>& jobs, const std::map<std::string, int>& joined);
  void Submit(const WorkerShape& shape, std::vector<LaunchedJob>& jobs);

  const SlurmSettings settings_;
  const LaunchLimits limits_;
  const std::string script_dir_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool cancel_all_ = false;
  bool updated_ = false;
  std::vector<Demand> demand_;
  std::map<std::string, int> joined_;
  LauncherView view_;
  // Shapes sbatch refused, and when they may be asked again.
  std::map<std::string, std::chrono::steady_clock::time_point> refused_until_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace wsfleet::launcher
