#include "cli/fleet_commands.h"


#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <cstdio>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/exit_codes.h"
#include "common/hostname.h"
#include "cli/agent_types.h"
#include "cli/config_file.h"
#include "cli/signals.h"
#include "cli/status_follower.h"
#include "cli/live_view.h"
#include "cli/plan_follow.h"
#include "cli/status_render.h"
#include "cli/step_user_paths.h"
#include "common/child_process.h"
#include "common/log.h"
#include "common/plan_loader.h"
#include "coordinator/coordinator_server.h"
#include "coordinator/plan_submission.h"
#include "cli/join_token.h"
#include "common/field_values.h"
#include "gpu/burn_in.h"
#include "gpu/devices.h"
#include "launcher/slurm_launcher.h"
#include "security/certificates.h"
#include "security/join_token.h"
#include "worker/agent_versions.h"
#include "worker/fleet_join.h"
#include "worker/environment_probe.h"
#include "worker/gpu_inventory.h"
#include "worker/worker.h"

extern char** environ;

namespace wsfleet::cli {
namespace fs = std::filesystem;
namespace {

common::Nanos Seconds(double seconds) {
  return common::Nanos(static_cast<int64_t>(seconds * 1e9));
}

coordinator::SchedulerOptions SchedulerOptionsFrom(double heartbeat, double lease,
                                                   double gang_timeout, uint32_t worker_queue) {
  coordinator::SchedulerOptions options;
  options.heartbeat_interval = Seconds(heartbeat);
  options.lease = Seconds(lease);
  options.gang_timeout = Seconds(gang_timeout);
  options.worker_queue = worker_queue;
  return options;
}

std::vector<std::string> CurrentEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  return env;
}

// Blocks until SIGINT or SIGTERM; which one.
int WaitForSignal() {
  std::mutex mutex;
  std::condition_variable cv;
  int signalled = 0;
  SignalWatcher watcher([&](int signal) {
    std::lock_guard<std::mutex> lock(mutex);
    signalled = signal;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [&] { return signalled != 0; });
  return signalled;
}

std::string SelfPath() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "wsfleet" : self.string();
}

// The value of environment variable `name`, then wiped: the bytes in place (what
// /proc/PID/environ shows) and the variable itself, so that nothing this process starts
// inherits it. Empty when unset.
std::string TakeSecretFromEnvironment(const char* name) {
  char* value = std::getenv(name);
  if (value == nullptr) return "";
  std::string taken = value;
  std::fill(value, value + taken.size(), 'x');
  ::unsetenv(name);
  return taken;
}

std::string CoordinatorAddressFor(const std::string& state_dir) {
  std::error_code error;
  std::string socket = fs::absolute(fs::path(state_dir) / "coordinator.sock", error).string();
  fs::remove(socket, error);
  if (socket.size() < 100) return "unix:" + socket;
  // A unix socket path must fit sockaddr_un (108 bytes); else a short one in a directory
  // of its own (mkdtemp makes it 0700): a socket anyone could reach would let them act as
  // the local admin.
  char dir[] = "/tmp/wsfleet-run-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return "unix:" + socket;  // too long: the bind fails and says so
  return "unix:" + std::string(dir) + "/coordinator.sock";
}


// Sets up the daemon's log; false (said on stderr) when the flags are wrong.
bool StartLogging(const std::string& component, const LogFlags& flags) {
  absl::StatusOr<common::LogOptions> options = common::ParseLogOptions(flags.level, flags.format);
  if (!options.ok()) {
    std::cerr << "wsfleet " << component << ": " << options.status().message() << "\n";
    return false;
  }
  common::SetupLogging(component, *options);
  return true;
}

// The verification rule from --verification, --require-verified and the config file's
// (flags win); a usage error when the two flags disagree.
absl::StatusOr<coordinator::Verification> VerificationFrom(const std::string& flag, bool require_verified,
                                                          std::optional<coordinator::Verification> configured) {
  std::optional<coordinator::Verification> chosen =
      flag.empty() ? std::nullopt : coordinator::ParseVerification(flag);
  if (require_verified) {
    if (chosen && *chosen != coordinator::Verification::kStrict) {
      return absl::InvalidArgumentError("--require-verified contradicts --verification " + flag);
    }
    chosen = coordinator::Verification::kStrict;
  }
  return chosen.value_or(configured.value_or(coordinator::Verification::kDefault));
}

}  // namespace

// What the Slurm launcher's jobs run and how they reach this coordinator.
// The config file's slurm section first, then the flags: a flag's name wins, a flag's
// arguments come after the file's.
absl::StatusOr<launcher::SlurmSettings> SlurmSettingsFor(const CoordinatorOptions& options,
                                                         const FleetConfig::Slurm& file,
                                                         coordinator::CoordinatorServer& server,
                                                         int64_t idle_exit_seconds) {
  launcher::SlurmSettings settings;
  auto either = [](const std::string& flag, const std::string& from_file) { return flag.empty() ? from_file : flag; };
  settings.partition = either(options.slurm.partition, file.partition);
  settings.account = either(options.slurm.account, file.account);
  settings.qos = either(options.slurm.qos, file.qos);
  settings.extra_sbatch_args = file.sbatch_args;
  settings.extra_sbatch_args.insert(settings.extra_sbatch_args.end(), options.slurm.sbatch_args.begin(),
                                    options.slurm.sbatch_args.end());
  settings.worker_args = file.worker_args;
  settings.worker_args.insert(settings.worker_args.end(), options.slurm.worker_args.begin(),
                              options.slurm.worker_args.end());
  settings.features = file.features;
  settings.slots = options.slurm.slots;
  settings.idle_exit_seconds = static_cast<int>(idle_exit_seconds);
  std::error_code error;
  fs::path state = fs::absolute(options.state_dir, error).lexically_normal();
  settings.log_dir = (state / "launcher").string();
  // The jobs of this coordinator alone (another's on the same cluster keep theirs).
  char name[32];
  std::snprintf(name, sizeof name, "wsfleet-%08zx", std::hash<std::string>{}(common::Hostname() + ":" + state.string()) & 0xffffffff);
  settings.job_name = name;
  settings.wsfleet = options.slurm.wsfleet.empty() ? SelfPath() : options.slurm.wsfleet;
  settings.workdir = options.slurm.workdir.empty() ? fs::current_path(error).string() : options.slurm.workdir;
  if (!options.slurm.coordinator.empty()) {
    settings.coordinator = options.slurm.coordinator;
  } else if (server.address().rfind("unix:", 0) == 0) {
    settings.coordinator = server.address();  // nodes on this machine only
  } else {
    std::string port = server.address().substr(server.address().rfind(':') + 1);
    std::string host = options.tls.advertise.empty() ? common::Hostname() : options.tls.advertise.front();
    settings.coordinator = host + ":" + port;
  }
  settings.insecure = options.tls.insecure;
  absl::StatusOr<std::string> token = server.CreateWorkerToken("Slurm launcher's workers (" + settings.job_name + ")");
  if (!token.ok()) return absl::FailedPreconditionError("a join token for the launched workers: " + std::string(token.status().message()));
  settings.join_token = *token;
  return settings;
}

int RunCoordinatorCommand(const CoordinatorOptions& options) {
  if (!StartLogging("coordinator", options.log)) return kExitUsage;
  coordinator::CoordinatorConfig config;
  config.listen = options.listen;
  config.state_dir = options.state_dir;
  config.scheduler = SchedulerOptionsFrom(options.heartbeat_seconds, options.lease_seconds,
                                              options.gang_timeout_seconds, options.worker_queue);
  config.metrics_address = options.metrics_address;
  config.ui_address = options.ui_address == "off" ? "" : options.ui_address;
  config.metrics.max_step_metric_series = options.step_metric_series;
  if (!options.plan_budget.empty()) config.scheduler.plan_budget = *common::ParseBudget(options.plan_budget);
  config.scheduler.write_back = options.write_back;
  absl::StatusOr<coordinator::Verification> verification =
      VerificationFrom(options.verification, options.require_verified, std::nullopt);
  if (!verification.ok()) {
    spdlog::error("{}", std::string(verification.status().message()));
    return kExitUsage;
  }
  config.scheduler.verification = *verification;
  absl::StatusOr<std::string> token = ReadJoinToken(options.join_token_file);
  if (!token.ok()) {
    spdlog::error("{}", std::string(token.status().message()));
    return kExitUsage;
  }
  TakeSecretFromEnvironment("WSFLEET_JOIN_TOKEN");
  config.tls = options.tls;
  absl::StatusOr<int64_t> ttl = common::ParseTimeoutSeconds(options.worker_cert_ttl);
  if (!ttl.ok() || *ttl < 1) {
    spdlog::error("--worker-cert-ttl '{}': a duration such as 30d or 12h", options.worker_cert_ttl);
    return kExitUsage;
  }
  config.tls.worker_certificate_lifetime = std::chrono::seconds(*ttl);
  bool tcp = options.listen.rfind("unix:", 0) != 0;
  if (!token->empty()) {
    absl::StatusOr<security::JoinToken> parsed = security::ParseJoinToken(*token);
    if (parsed.ok()) {
      config.tls.bootstrap_tokens.push_back(*parsed);
    } else if (options.tls.insecure || !tcp) {
      config.join_token = *token;  // the plaintext fleet's shared secret, as before
    } else {
      spdlog::error("the join token is not a wsf1 token ({}); make one with `wsfleet token create`, or use "
                    "--insecure for a plaintext fleet with a shared secret",
                    std::string(parsed.status().message()));
      return kExitUsage;
    }
  }
  bool slurm = options.launcher == "slurm";
  FleetConfig file_config;
  if (!options.config.empty()) {
    absl::StatusOr<FleetConfig> loaded = LoadConfig(options.config);
    if (!loaded.ok()) {
      spdlog::error("{}", std::string(loaded.status().message()));
      return kExitUsage;
    }
    file_config = std::move(*loaded);
  }
  absl::StatusOr<int64_t> idle_exit = common::ParseTimeoutSeconds(options.slurm.idle_exit);
  if (slurm && (!idle_exit.ok() || *idle_exit < 1)) {
    spdlog::error("--idle-exit '{}': a duration such as 5m or 90s", options.slurm.idle_exit);
    return kExitUsage;
  }
  config.scheduler.workers_on_demand = slurm;
  // Everything this process writes (store, logs, keys, the audit log) is its owner's alone.
  ::umask(077);
  auto server = coordinator::CoordinatorServer::Start(config);
  if (!server.ok()) {
    spdlog::error("{}", std::string(server.status().message()));
    return kExitFailed;
  }
  if (tcp && options.tls.insecure) {
    spdlog::warn("--insecure: {} is plaintext and trusts every caller: anyone who reaches it can run shell "
                 "commands on every worker, read every log and forge results",
                 (*server)->address());
  }
  spdlog::info("listening on {}, state in {}{}", (*server)->address(), options.state_dir,
               (*server)->ca_hash().empty() ? "" : "; TLS, CA key sha256 " + (*server)->ca_hash());
  if (!(*server)->local_address().empty()) {
    spdlog::info("local admin socket {} (wsfleet token create --coordinator {})", (*server)->local_address(),
                 (*server)->local_address());
  }
  if (!(*server)->metrics_url().empty()) spdlog::info("metrics at {}", (*server)->metrics_url());
  if (!(*server)->plan_page_url().empty()) {
    spdlog::info("plan page at {} (`wsfleet ui` prints a URL that opens it)", (*server)->plan_page_url());
  }
  if (slurm) {
    absl::StatusOr<launcher::SlurmSettings> settings = SlurmSettingsFor(options, file_config.slurm, **server, *idle_exit);
    if (!settings.ok()) {
      spdlog::error("{}", std::string(settings.status().message()));
      return kExitUsage;
    }
    spdlog::info("launcher: Slurm jobs named {} (partition {}, at most {} worker nodes), workers dialing {}",
                 settings->job_name, settings->partition.empty() ? "default" : settings->partition,
                 options.slurm.max_workers, settings->coordinator);
    launcher::LaunchLimits limits;
    limits.max_workers = options.slurm.max_workers;
    limits.workstreams_per_job = options.slurm.slots;
    std::string script_dir = settings->log_dir;
    (*server)->SetLauncher(std::make_unique<launcher::SlurmLauncher>(std::move(*settings), limits, script_dir));
  }
  int signal = WaitForSignal();
  spdlog::info("{}: stopping: no new calls or sessions; what is queued is stored and the store closed",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown();
  server->reset();
  spdlog::info("stopped; the workers keep what is not stored and send it to the next coordinator");
  return kExitOk;
}

int RunWorkerCommand(const WorkerOptions& options) {
  if (options.exit_with_parent) {
    pid_t parent = ::getppid();
    // A local worker of `wsfleet run` must not outlive it, even if it is killed -9. Until
    // its signal watcher runs, SIGTERM would wait blocked (main blocks it) for as long as
    // starting takes (GPU discovery can take seconds): so SIGKILL, which nothing blocks,
    // while nothing has started yet; SIGTERM (a clean stop) once the watcher is there.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return kExitOk;  // the parent died before prctl took effect
  }
  // First: no process this one starts (the version probes below) inherits the secret, and
  // it is visible in this process's environment for as short a time as can be.
  std::string log_token_from_environment = TakeSecretFromEnvironment("WSFLEET_LOG_TOKEN");
  absl::StatusOr<std::string> token = ReadJoinToken(options.join_token_file);
  TakeSecretFromEnvironment("WSFLEET_JOIN_TOKEN");
  if (!StartLogging("worker", options.log)) return kExitUsage;
  absl::StatusOr<int64_t> idle_exit = common::ParseTimeoutSeconds(options.idle_exit);
  if (!idle_exit.ok() && options.idle_exit != "0") {
    spdlog::error("--idle-exit '{}': a duration such as 5m or 90s, or 0 (never)", options.idle_exit);
    return kExitUsage;
  }
  worker::WorkerConfig config;
  if (!options.config.empty()) {
    absl::StatusOr<FleetConfig> file = LoadConfig(options.config);
    if (!file.ok()) {
      spdlog::error("{}", std::string(file.status().message()));
      return kExitUsage;
    }
    config.runner.agents = file->agents;
    config.runner.setup_copy = file->copy;
    config.runner.setup_command = file->setup;
    config.runner.default_budget = file->workstream_budget;
    config.runner.direct_exec = file->direct_exec;
    config.runner.env_passthrough = file->env_passthrough;
  }
  config.coordinator = options.coordinator;
  config.worker_id = options.id.empty() ? common::Hostname() + "-" + std::to_string(::getpid()) : options.id;
  config.slots = options.slots;
  for (const std::string& label : options.labels) {
    size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      spdlog::error("--label '{}' is not key=value", label);
      return kExitUsage;
    }
    config.labels[label.substr(0, eq)] = label.substr(eq + 1);
  }
  absl::StatusOr<worker::GpuInventory> gpus =
      worker::BuildGpuInventory(options.gpus, gpu::DiscoverDevices());
  if (!gpus.ok()) {
    spdlog::error("{}", std::string(gpus.status().message()));
    return kExitUsage;
  }
  for (const std::string& note : gpus->notes) spdlog::info("{}", note);
  config.gpus = gpus->gpus;
  if (options.burn_in && !config.gpus.empty()) {
    // The fitness gate: a GPU that fails is not offered; the node says why in `workers`.
    std::vector<uint32_t> indices;
    for (const v1::GpuDevice& gpu : config.gpus) indices.push_back(gpu.index());
    spdlog::info("burn-in on {} GPU(s)...", indices.size());
    gpu::BurnInResult burn_in = gpu::RunBurnIn(indices);
    if (burn_in.passed) {
      spdlog::info("burn-in passed");
      for (const auto& [key, value] : burn_in.labels) gpus->labels[key] = value;
      gpus->labels["gpu.burn_in"] = "passed";
    } else {
      spdlog::warn("{}; offering no GPUs", burn_in.reason);
      config.gpus.clear();
      config.gpu_note = burn_in.reason;
      gpus->labels["gpu.count"] = "0";
      gpus->labels["gpu.burn_in"] = "failed";
    }
  }
  for (const auto& [key, value] : gpus->labels) config.labels.emplace(key, value);  // --label wins
  // What this machine is, for cards' `### Environment` (architecture, OS, CUDA, Python, Rust).
  for (const auto& [key, value] : worker::EnvironmentLabels(worker::ReadEnvironmentSources())) {
    config.labels.emplace(key, value);
  }
  spdlog::info("this machine: {}", common::DescribeEnvironment(config.labels));
  // The agent CLIs this worker has: the coordinator places agent cards only where theirs is.
  for (const auto& [key, value] :
       worker::AgentLabels(config.runner.agents, worker::RunVersionCommand,
                           [](const std::string& line) { spdlog::info("{}", line); })) {
    if (key.size() > 8 && key.compare(key.size() - 8, 8, ".refused") == 0) {
      spdlog::warn("{} refused: {}; not offered", key.substr(0, key.size() - 8), value);
    }
    config.labels.emplace(key, value);
  }
  std::error_code error;
  fs::path workdir = fs::absolute(options.workdir, error);
  config.runner.workdir = workdir.string();
  config.runner.isolation = options.isolate == "worktree" ? worker::Isolation::kWorktree
                             : options.isolate == "none"   ? worker::Isolation::kNone
                                                           : worker::Isolation::kAuto;
  config.runner.output_cap_bytes = options.output_cap_bytes;
  config.runner.default_step_timeout = Seconds(options.step_timeout_seconds);
  config.runner.base_env = CurrentEnvironment();
  config.runner.repository = options.repository;
  config.runner.self_exe = SelfPath();
  if (fs::path guard = fs::path(config.runner.self_exe).parent_path() / "wsfleet-step-guard"; fs::exists(guard)) {
    config.step_guard = guard.string();
  } else {
    spdlog::warn("{} is missing: steps will not die with this worker (install it beside wsfleet)", guard.string());
  }
  config.spool_dir = options.spool_dir.empty()
                         ? (workdir / ".wsfleet" / "spool" / config.worker_id).string()
                         : options.spool_dir;
  config.runner.spool_dir = config.spool_dir;
  std::string credentials = options.credentials.empty()
                                ? (workdir / ".wsfleet" / "credentials" / (config.worker_id + ".pem")).string()
                                : options.credentials;
  if (!options.step_user.empty()) {
    absl::StatusOr<StepUserPaths> paths = PrepareStepUser(options, workdir, config.worker_id);
    if (!paths.ok()) {
      spdlog::error("{}", std::string(paths.status().message()));
      return kExitUsage;
    }
    config.runner.step_user = paths->user;
    config.spool_dir = paths->spool;
    config.runner.spool_dir = paths->scratch;
    credentials = paths->credentials;
    spdlog::info("steps run as {} (uid {}); the worker's own files are in {} and {}", paths->user.name,
                 paths->user.uid, paths->credentials, paths->spool);
    if (!worker::UserCanExecute(paths->user, config.runner.self_exe)) {
      // Steps call it as $WSFLEET_BIN (a gang's rendezvous, `wsfleet rendezvous put`).
      spdlog::warn("{} cannot run {} (it, or a directory above it, is closed to that user): steps that call "
                   "$WSFLEET_BIN (a gang's rendezvous) will fail; install wsfleet where {} can reach it "
                   "(/usr/local/bin)",
                   paths->user.name, config.runner.self_exe, paths->user.name);
    }
  } else if (::geteuid() == 0 && options.coordinator.rfind("unix:", 0) != 0) {
    spdlog::warn("steps run as root and share the worker's trust (its key, its spool, every process); "
                 "--step-user USER runs them as another user");
  }
  config.metrics_address = options.metrics_address;
  absl::StatusOr<int64_t> grace = common::ParseTimeoutSeconds(options.grace);
  if (!grace.ok() && options.grace != "0") {
    spdlog::error("--grace '{}': a duration such as 30s or 2m", options.grace);
    return kExitUsage;
  }
  config.grace = std::chrono::seconds(grace.ok() ? *grace : 0);
  config.idle_exit = std::chrono::seconds(idle_exit.ok() ? *idle_exit : 0);
  // A worker a Slurm job started says which job (`wsfleet workers`, and the coordinator's
  // launcher matches its jobs to their workers by it).
  if (const char* job = std::getenv("SLURM_JOB_ID"); job != nullptr && *job != '\0') {
    config.labels.emplace(launcher::kSlurmJobLabel, job);
  }
  if (!token.ok()) {
    spdlog::error("{}", std::string(token.status().message()));
    return kExitUsage;
  }
  config.log_token = options.log_token.empty() ? log_token_from_environment : options.log_token;
  bool tcp = options.coordinator.rfind("unix:", 0) != 0;
  if (!tcp || options.insecure) {
    config.join_token = *token;  // a plaintext fleet's shared secret, if it has one
  } else {
    worker::JoinInputs join{options.coordinator, config.worker_id, credentials, *token, options.tls_ca};
    absl::StatusOr<worker::Joined> joined =
        worker::JoinFleet(join, std::chrono::seconds(60), [](const std::string& line) { spdlog::info("{}", line); });
    if (!joined.ok()) {
      spdlog::error("{}", std::string(joined.status().message()));
      return joined.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
    }
    spdlog::info("{}: {}", config.worker_id, joined->how);
    config.security = joined->security;
    join.token.clear();  // renewal needs only the certificate
    config.renewal = join;
    for (const auto& [key, value] : joined->labels) config.labels.emplace(key, value);
  }
  worker::Worker worker(config);
  if (absl::Status status = worker.Start(); !status.ok()) {
    spdlog::error("{}", std::string(status.message()));
    return kExitFailed;
  }
  // The first SIGTERM or SIGINT leaves in order (see --grace); a second stops at once.
  std::atomic<int> signals{0};
  SignalWatcher watcher([&](int signal) {
    if (signals.fetch_add(1) == 0 && !options.exit_with_parent) {
      worker.Leave(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    } else {
      worker.Stop();
    }
  });
  // Had the parent died before this, SIGKILL would have ended this process already.
  if (options.exit_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  spdlog::info("worker {} -> {}", config.worker_id, config.coordinator);
  if (!worker.metrics_url().empty()) spdlog::info("{} metrics at {}", config.worker_id, worker.metrics_url());
  if (absl::Status status = worker.Run(); !status.ok()) {
    spdlog::error("{}", std::string(status.message()));
    return kExitFailed;
  }
  return kExitOk;
}

int RunPlanCommand(const RunOptions& options) {
  // What the embedded coordinator logs; the run's own lines for its user stay plain.
  if (!StartLogging("coordinator", options.log)) return kExitUsage;
  std::string config_path;
  std::optional<common::Workstream::Budget> plan_budget_from_config;
  std::optional<coordinator::Verification> verification_from_config;
  std::map<std::string, worker::AgentSpec> configured_agents;
  if (!options.config.empty()) {
    // Checked here so a bad file fails the run at once, not in each worker.
    absl::StatusOr<FleetConfig> file = LoadConfig(options.config);
    if (!file.ok()) {
      std::cerr << "wsfleet run: " << file.status().message() << "\n";
      return kExitUsage;
    }
    std::error_code ignored;
    config_path = fs::absolute(options.config, ignored).string();
    plan_budget_from_config = file->plan_budget;
    verification_from_config = file->verification;
    configured_agents = file->agents;
  }
  common::Plan plan = common::LoadPlan(options.paths);
  // Its workers are this machine's, with this config: an agent type none of them knows is
  // a card that would pass with no agent doing its work.
  CheckAgentTypes(plan, configured_agents, common::Severity::kError, plan.diagnostics);
  for (const common::Diagnostic& diagnostic : plan.diagnostics.Sorted()) {
    std::cerr << diagnostic.ToString() << "\n";
  }
  if (!plan.ok() || plan.workstreams.empty()) {
    if (plan.workstreams.empty() && plan.ok()) std::cerr << "no workstream cards found\n";
    return kExitInvalidPlan;
  }
  std::error_code error;
  fs::create_directories(fs::path(options.state_dir) / "workers", error);
  fs::create_directories(options.workdir, error);

  // The run follows the coordinator's status as it is published (see below); a signal
  // wakes it too.
  StatusFollower follower;
  std::atomic<int> interrupts{0};
  SignalWatcher watcher([&](int) {
    ++interrupts;
    follower.Wake();
  });

  coordinator::CoordinatorConfig config;
  config.listen = CoordinatorAddressFor(options.state_dir);
  config.state_dir = options.state_dir;
  config.owner = "wsfleet run";
  config.scheduler = SchedulerOptionsFrom(options.heartbeat_seconds, options.lease_seconds,
                                              options.gang_timeout_seconds, options.worker_queue);
  config.metrics_address = options.metrics_address;
  config.ui_address = options.ui_address == "off" ? "" : options.ui_address;
  config.metrics.max_step_metric_series = options.step_metric_series;
  config.scheduler.plan_budget = options.plan_budget.empty() ? plan_budget_from_config
                                                              : common::ParseBudget(options.plan_budget).value();
  config.scheduler.write_back = options.write_back;
  absl::StatusOr<coordinator::Verification> verification =
      VerificationFrom(options.verification, options.require_verified, verification_from_config);
  if (!verification.ok()) {
    std::cerr << "wsfleet run: " << verification.status().message() << "\n";
    return kExitUsage;
  }
  config.scheduler.verification = *verification;
  // The local workers share this machine: they append their output to the logs themselves.
  std::string log_token = security::RandomHex(16);
  config.scheduler.local_log_token = log_token;
  auto started = coordinator::CoordinatorServer::Start(config);
  if (!started.ok()) {
    std::cerr << "wsfleet run: " << started.status().message() << "\n";
    return kExitFailed;
  }
  coordinator::CoordinatorServer& server = **started;
  if (!server.metrics_url().empty()) {
    std::cerr << "wsfleet run: coordinator metrics at " << server.metrics_url() << std::endl;
  }

  // This machine's GPUs, split among the local workers so that none is offered twice.
  absl::StatusOr<worker::GpuInventory> machine_gpus =
      worker::BuildGpuInventory(options.gpus, gpu::DiscoverDevices());
  if (!machine_gpus.ok()) {
    std::cerr << "wsfleet run: " << machine_gpus.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<uint32_t> indices;
  for (const v1::GpuDevice& gpu : machine_gpus->gpus) indices.push_back(gpu.index());
  std::vector<std::string> gpu_shares = worker::SplitGpus(indices, options.workers);

  std::vector<pid_t> workers;
  std::string self = SelfPath();
  // In the workers' environment, not on their command lines (ps shows those to everyone);
  // each worker takes it out of its own environment at start.
  ::setenv("WSFLEET_LOG_TOKEN", log_token.c_str(), 1);
  for (uint32_t i = 1; i <= options.workers; ++i) {
    std::string id = "local-" + std::to_string(i);
    std::vector<std::string> argv = {self, "worker", "--coordinator", server.address(), "--id", id,
                                     "--slots", std::to_string(options.slots), "--workdir",
                                     options.workdir, "--isolate", options.isolate,
                                     "--output-cap", std::to_string(options.output_cap_bytes),
                                     "--gpus", gpu_shares[i - 1], "--exit-with-parent",
                                     "--log-level", options.log.level,
                                     "--log-format", options.log.format};
    if (!config_path.empty()) {
      argv.push_back("--config");
      argv.push_back(config_path);
    }
    if (!options.repository.empty()) {
      argv.push_back("--repo");
      argv.push_back(options.repository);
    }
    if (!options.metrics_address.empty()) {
      argv.push_back("--metrics-addr");
      argv.push_back(options.metrics_address.substr(0, options.metrics_address.rfind(':')) + ":0");
    }
    // Each local worker's own output goes to a file under the state directory.
    absl::StatusOr<pid_t> pid =
        common::SpawnWithOutputTo(argv, (fs::path(options.state_dir) / "workers" / (id + ".log")).string());
    if (!pid.ok()) {
      std::cerr << "wsfleet run: cannot start worker " << id << ": " << pid.status().message() << "\n";
      common::StopProcesses(workers, std::chrono::seconds(10));
      return kExitFailed;
    }
    workers.push_back(*pid);
  }
  server.Watch([&follower](const v1::RunStatus& status) { follower.Offer(status); });

  // Submit once every worker has joined, so infeasible work is judged against all of them.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  size_t joined = 0;
  while (interrupts == 0) {
    server.loop().RunSync([&] { joined = server.scheduler().Workers().workers_size(); });
    if (joined >= options.workers || !follower.WaitUntil(deadline)) break;
  }
  if (joined < options.workers) {
    std::cerr << "wsfleet run: only " << joined << " of " << options.workers
              << " workers joined; see " << options.state_dir << "/workers/*.log\n";
  }
  size_t workstreams = plan.workstreams.size();
  absl::StatusOr<coordinator::PlanSubmission> submitted;
  server.loop().RunSync([&] {
    submitted = coordinator::SubmitOrResume(server.scheduler(), std::move(plan),
                                            fs::path(options.paths.front()).filename().string(),
                                            options.keep_going, options.state_dir,
                                            {options.rerun_failed, options.rerun, options.keep_changed});
  });
  if (!submitted.ok()) {
    std::cerr << "wsfleet run: " << submitted.status().message() << "\n";
    common::StopProcesses(workers, std::chrono::seconds(10));
    return kExitFailed;
  }
  std::cout << (submitted->resumed ? "resuming" : "running") << " " << workstreams
            << " workstreams on " << options.workers << " workers (state in "
            << options.state_dir << ")";
  const coordinator::Scheduler::Revision& revision = submitted->revision;
  auto list = [](const char* what, const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return ids.empty() ? std::string() : std::string(what) + " " + out;
  };
  std::string edits;
  for (const std::string& part : {list("changed", revision.changed), list("added", revision.added),
                                  list("removed", revision.removed)}) {
    if (!part.empty()) edits += (edits.empty() ? "" : "; ") + part;
  }
  if (!edits.empty()) std::cout << "; cards edited since its last run (" << edits << ")";
  if (submitted->resumed && (options.rerun_failed || !options.rerun.empty() || !edits.empty())) {
    std::cout << "; " << submitted->rerun << " to run again";
  }
  std::cout << std::endl;

  // On a terminal, the live view; piped, a line per change.
  bool terminal = ::isatty(STDOUT_FILENO) != 0;
  if (terminal && !server.plan_page_url().empty()) {
    bool default_state = fs::path(options.state_dir).lexically_normal() == fs::path(".wsfleet");
    std::cout << "the plan page, live: `wsfleet ui" << (default_state ? "" : " --coordinator " + server.address())
              << "` prints a URL that opens it" << std::endl;
  }
  // What was published before the submission (a resumed run's earlier end) is old: the run
  // starts from the state the submission left.
  follower.Take();
  v1::RunStatus status;
  server.loop().RunSync([&] { status = server.scheduler().Status(); });
  if (submitted->resumed && status.done() && !status.succeeded()) {
    // Resumed, it has nothing left to run: say why it ended so, and how to go on.
    int ended = 0;
    std::string first;
    for (const v1::WorkstreamStatus& ws : status.workstreams()) {
      if (ws.state() != v1::WORKSTREAM_STATE_FAILED && ws.state() != v1::WORKSTREAM_STATE_CANCELLED) continue;
      if (++ended == 1) first = ws.id() + (ws.message().empty() ? "" : ": " + ws.message());
    }
    if (ended > 0) {
      std::cout << "its run had ended: " << ended << " failed or cancelled (" << first << (ended > 1 ? ", ..." : "")
                << "); --rerun-failed runs them again with what they blocked" << std::endl;
    }
  }
  bool cancelled = false;
  FollowHooks hooks;
  hooks.ended = [&](const v1::RunStatus& latest) { return latest.done() && latest.plan_id() == submitted->plan_id; };
  hooks.give_up = [&] { return interrupts > 1; };
  hooks.on_wake = [&] {
    if (interrupts > 0 && !cancelled) {
      cancelled = true;
      std::cerr << "\ninterrupted: cancelling (Ctrl-C again to stop at once)" << std::endl;
      server.loop().RunSync([&] { server.scheduler().Cancel("", true, nullptr); });
    }
  };
  status = *FollowPlan(follower, status, hooks);
  common::StopProcesses(workers, std::chrono::seconds(10));
  server.Shutdown();
  return status.succeeded() ? kExitOk : kExitFailed;
}

}  // namespace wsfleet::cli
