#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "launcher/launch_decision.h"
#include "launcher/worker_demand.h"

// What the Slurm launcher says to Slurm and reads back, as text: the `sbatch` command line
// and the job's script for a worker shape, and the parsing of `sbatch --parsable` and
// `squeue` output. Slurm's own commands with machine-readable output, rather than
// libslurm: their interface is stable across Slurm versions (libslurm's ABI changes with
// every release, and Debian's libslurm-dev need not match the cluster's Slurm), and the
// coordinator then needs no Slurm library to build or run.
namespace wsfleet::launcher {

struct SlurmSettings {
  std::string sbatch = "sbatch";  // the commands, from PATH unless given as paths
  std::string squeue = "squeue";
  std::string scancel = "scancel";
  std::string partition;
  std::string account;
  std::string qos;
  std::vector<std::string> extra_sbatch_args;  // as given, before the script
  // What a card's label or Environment need ("rack=a", "arch=arm64", "cuda>=13.0": see
  // WorkerShape) is called among the cluster's node features; "" asks for none.
  std::map<std::string, std::string> features;
  // Every job's name: how the launcher finds its own jobs in squeue (one per coordinator).
  std::string job_name = "wsfleet-worker";
  std::string log_dir;  // the jobs' output files, one per job (%j.out)
  // What each node of a job runs: `wsfleet worker` with these.
  std::string wsfleet = "wsfleet";  // the binary on the nodes
  std::string coordinator;          // the address workers dial
  std::string workdir;              // the workers' --workdir (a path valid on the nodes)
  std::string tls_ca;               // optional --tls-ca for the workers
  bool insecure = false;            // a plaintext coordinator
  int slots = 1;                    // --slots of a worker without GPUs
  int idle_exit_seconds = 300;      // --idle-exit: the job ends once its worker is idle so long
  std::vector<std::string> worker_args;  // more worker flags, e.g. --label k=v
  // What the workers join with, in sbatch's environment (Slurm hands the submitting
  // environment to the job): never on a command line or in the script.
  std::string join_token;
};

// The node features (--constraint) a job of `shape` asks for: each label and Environment
// need through `settings.features`; without an entry, an architecture is its own name
// ("arm64", "amd64") and a GPU its product in lower case ("gb10", "h100"), as sites
// commonly name them, and other needs (OS, CUDA, Python, Rust) ask for nothing: the
// worker's probe checks them when it joins. A label without an entry is an error: no job
// could promise it.
absl::StatusOr<std::vector<std::string>> SlurmFeatures(const SlurmSettings& settings, const WorkerShape& shape);

// `sbatch` and its arguments for a job of `shape`, running `script_path`; an error when
// the shape's features cannot be named (SlurmFeatures).
absl::StatusOr<std::vector<std::string>> SbatchCommand(const SlurmSettings& settings, const WorkerShape& shape,
                                                       const std::string& script_path);

// The job's script: one `wsfleet worker` per node (through srun), its ID made from the job
// and node, its GPUs those Slurm gave the job, the shape's labels (its nodes have them). The join token comes in the job's
// environment ($WSFLEET_JOIN_TOKEN, exported by sbatch), never on a command line.
std::string WorkerScript(const SlurmSettings& settings, const WorkerShape& shape);

// The job ID that `sbatch --parsable` printed ("1234" or "1234;cluster").
absl::StatusOr<std::string> ParseSbatchOutput(const std::string& output);

// What squeue says of a job: its state (PENDING, RUNNING, COMPLETING...) and, while
// pending, why (Resources, Priority, QOSMaxGRESPerUser...).
struct SqueueJob {
  std::string state;
  std::string reason;
};
// Where a job Slurm names this way stands for the launcher: PENDING (and held, requeued,
// suspended) is pending; RUNNING and CONFIGURING are starting (or joined, once its workers
// have); COMPLETING and every end state are ended: its worker is gone or going.
JobState JobStateOf(const std::string& slurm_state);
// The arguments for squeue listing the launcher's jobs in the format ParseSqueueOutput reads.
std::vector<std::string> SqueueCommand(const SlurmSettings& settings);
// Lines of "ID|STATE|REASON", by job ID; lines that are not are skipped.
std::map<std::string, SqueueJob> ParseSqueueOutput(const std::string& output);

// A POSIX shell word that the shell reads back as `text`.
std::string ShellQuote(const std::string& text);

}  // namespace wsfleet::launcher
