#include "launcher/slurm_launcher.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "launcher/command_runner.h"

namespace wsfleet::launcher {
namespace {

constexpr auto kCommandLimit = std::chrono::seconds(60);
constexpr auto kPollInterval = std::chrono::seconds(1);
// How long a shape sbatch refused waits before it is asked again.
constexpr auto kRefusalPause = std::chrono::seconds(30);

}  // namespace

SlurmLauncher::SlurmLauncher(SlurmSettings settings, LaunchLimits limits, std::string script_dir)
    : settings_(std::move(settings)), limits_(limits), script_dir_(std::move(script_dir)) {
  thread_ = std::thread([this] { Run(); });
}

SlurmLauncher::~SlurmLauncher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SlurmLauncher::Update(std::vector<Demand> demand, std::map<std::string, int> joined_by_job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Woken at once only when more is asked than before: a second's wait costs nothing
    // when the demand falls.
    int before = 0, now = 0;
    for (const Demand& d : demand_) before += d.workstreams;
    for (const Demand& d : demand) now += d.workstreams;
    updated_ = updated_ || now > before;
    demand_ = std::move(demand);
    joined_ = std::move(joined_by_job);
  }
  wake_.notify_all();
}

LauncherView SlurmLauncher::View() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return view_;
}

void SlurmLauncher::CancelAll() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancel_all_ = true;
    demand_.clear();
  }
  wake_.notify_all();
}

void SlurmLauncher::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, kPollInterval, [this] { return stop_ || updated_ || cancel_all_; });
    if (stop_) break;
    updated_ = false;
    lock.unlock();
    Tick();
    lock.lock();
  }
}

void SlurmLauncher::Tick() {
  std::vector<Demand> demand;
  std::map<std::string, int> joined;
  std::vector<LaunchedJob> jobs;
  bool cancel_all = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    demand = demand_;
    joined = joined_;
    jobs = view_.jobs;
    cancel_all = cancel_all_;
    cancel_all_ = false;
  }
  if (cancel_all && !jobs.empty()) {
    std::vector<std::string> argv = {settings_.scancel};
    for (const LaunchedJob& job : jobs) argv.push_back(job.id);
    CommandResult cancelled = RunCommand(argv, kCommandLimit);
    spdlog::info("launcher: cancelled {} Slurm job(s){}", jobs.size(),
                 cancelled.ok() ? "" : ": scancel " + cancelled.Describe());
  }
  Refresh(jobs, joined);
  std::string engine_error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    engine_error = view_.engine_error;
  }
  if (engine_error.empty()) {
    {
      // A shape sbatch refused is not asked again before its pause ends, nor does it hold
      // room under --max-workers that other shapes could use meanwhile.
      std::lock_guard<std::mutex> lock(mutex_);
      auto now = std::chrono::steady_clock::now();
      std::erase_if(demand, [&](const Demand& d) {
        auto paused = refused_until_.find(d.shape.Key());
        return paused != refused_until_.end() && now < paused->second;
      });
    }
    LaunchDecision decision = DecideLaunches(demand, jobs, limits_);
    if (!decision.cancel.empty()) {
      std::vector<std::string> argv = {settings_.scancel};
      argv.insert(argv.end(), decision.cancel.begin(), decision.cancel.end());
      CommandResult cancelled = RunCommand(argv, kCommandLimit);
      if (cancelled.ok()) {
        for (LaunchedJob& job : jobs) {
          for (const std::string& id : decision.cancel) {
            if (job.id == id) job.state = JobState::kEnded;
          }
        }
        spdlog::info("launcher: gave up {} pending Slurm job(s) no longer needed", decision.cancel.size());
      } else {
        spdlog::warn("launcher: scancel {}", cancelled.Describe());
      }
    }
    for (const WorkerShape& shape : decision.submit) Submit(shape, jobs);
  }
  std::erase_if(jobs, [](const LaunchedJob& job) { return job.state == JobState::kEnded; });
  std::lock_guard<std::mutex> lock(mutex_);
  view_.jobs = std::move(jobs);
}

void SlurmLauncher::Refresh(std::vector<LaunchedJob>& jobs, const std::map<std::string, int>& joined) {
  CommandResult listed = RunCommand(SqueueCommand(settings_), kCommandLimit);
  if (!listed.ok()) {
    std::string error = "squeue " + listed.Describe();
    std::lock_guard<std::mutex> lock(mutex_);
    if (view_.engine_error != error) spdlog::warn("launcher: {}; no jobs asked for until it answers", error);
    view_.engine_error = error;
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!view_.engine_error.empty()) spdlog::info("launcher: squeue answers again");
    view_.engine_error.clear();
  }
  std::map<std::string, SqueueJob> queued = ParseSqueueOutput(listed.output);
  for (LaunchedJob& job : jobs) {
    auto found = queued.find(job.id);
    if (found == queued.end()) {
      job.state = JobState::kEnded;
      continue;
    }
    const SqueueJob& slurm = found->second;
    JobState state = JobStateOf(slurm.state);
    job.reason = state == JobState::kPending ? slurm.reason : "";
    job.engine_state = slurm.state;
    auto workers = joined.find(job.id);
    if (state == JobState::kStarting && workers != joined.end() && workers->second >= std::max(1, job.shape.nodes)) {
      state = JobState::kJoined;
    }
    job.state = state;
    queued.erase(found);
  }
  // Under its name but not known to it: a coordinator before this one asked for them.
  for (const auto& [id, slurm] : queued) {
    LaunchedJob adopted;
    adopted.id = id;
    adopted.state = JobStateOf(slurm.state);
    if (adopted.state == JobState::kEnded) continue;
    adopted.reason = adopted.state == JobState::kPending ? slurm.reason : "";
    adopted.engine_state = slurm.state;
    adopted.submitted = std::chrono::steady_clock::now();
    spdlog::info("launcher: adopted Slurm job {} ({})", id, slurm.state);
    jobs.push_back(adopted);
  }
}

void SlurmLauncher::Submit(const WorkerShape& shape, std::vector<LaunchedJob>& jobs) {
  std::string key = shape.Key();
  auto now = std::chrono::steady_clock::now();
  std::error_code error;
  std::filesystem::create_directories(script_dir_, error);
  std::string script_path = script_dir_ + "/worker-" + std::to_string(std::hash<std::string>{}(key)) + ".sh";
  {
    std::ofstream script(script_path, std::ios::trunc);
    script << WorkerScript(settings_, shape);
  }
  ::chmod(script_path.c_str(), 0700);
  std::vector<std::string> env;
  if (!settings_.join_token.empty()) env.push_back("WSFLEET_JOIN_TOKEN=" + settings_.join_token);
  absl::StatusOr<std::vector<std::string>> argv = SbatchCommand(settings_, shape, script_path);
  absl::StatusOr<std::string> id = absl::UnknownError("not asked");
  if (argv.ok()) {
    CommandResult submitted = RunCommand(*argv, kCommandLimit, env);
    id = submitted.ok() ? ParseSbatchOutput(submitted.output) : absl::UnavailableError(submitted.Describe());
  } else {
    id = argv.status();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!id.ok()) {
    std::string why = (argv.ok() ? "sbatch " : "no job asked: ") + std::string(id.status().message());
    if (view_.refused[key] != why) spdlog::warn("launcher: a job of {}: {}", shape.Describe(), why);
    view_.refused[key] = why;
    refused_until_[key] = now + kRefusalPause;
    return;
  }
  view_.refused.erase(key);
  refused_until_.erase(key);
  LaunchedJob job;
  job.id = *id;
  job.shape = shape;
  job.submitted = now;
  job.engine_state = "PENDING";  // until squeue says otherwise
  job.submitted_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
  jobs.push_back(job);
  spdlog::info("launcher: Slurm job {} for a worker of {}", job.id, shape.Describe());
}

}  // namespace wsfleet::launcher
