#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/coordinator_server.h"

namespace wsfleet::cli {

// --log-level and --log-format of the daemons (see common/log.h).
struct LogFlags {
  std::string level = "info";
  std::string format = "text";
};

struct CoordinatorOptions {
  std::string listen = "127.0.0.1:7447";
  std::string state_dir = ".wsfleet";
  double heartbeat_seconds = 2;
  double lease_seconds = 10;
  double gang_timeout_seconds = 600;  // a multi-node card waits this long for its nodes
  uint32_t worker_queue = 1;  // assignments a busy worker may hold queued beyond its slots
  std::string plan_budget;  // "$50, 20M tokens, 500 turns": what a plan's agents may spend
  bool write_back = false;  // merges mark the card Completed and commit its summary
  std::string verification;     // lenient | default | strict; empty: default
  bool require_verified = false;  // the same as --verification strict
  std::string metrics_address;  // HOST:PORT; empty: no /metrics
  std::string ui_address = "127.0.0.1:0";  // the plan page's HOST:PORT; "off": none
  size_t step_metric_series = 1000;
  std::string join_token_file;  // else $WSFLEET_JOIN_TOKEN: a wsf1 token registered at start
  coordinator::TlsOptions tls;
  std::string worker_cert_ttl = "30d";  // how long issued worker certificates live
  // How workers come to exist: static (started by hand) or slurm (sbatch jobs).
  std::string launcher = "static";
  std::string config;  // YAML (cli/config_file.h): the coordinator reads its slurm section
  struct Slurm {
    std::string partition, account, qos;
    std::vector<std::string> sbatch_args;
    std::vector<std::string> worker_args;
    int max_workers = 16;
    std::string idle_exit = "5m";
    std::string workdir;          // the workers' --workdir; default: the coordinator's directory
    std::string wsfleet;          // the binary on the nodes; default: this one's path
    std::string coordinator;      // the address workers dial; default: --advertise or this host, and the port
    int slots = 1;
  } slurm;
  LogFlags log;
};

struct WorkerOptions {
  std::string coordinator;
  std::string id;  // default: hostname-pid
  uint32_t slots = 1;
  std::vector<std::string> labels;  // key=value
  std::string workdir = ".";
  std::string isolate = "auto";     // auto | none | worktree
  std::string repository;           // clone and push here instead of using the workdir's repository
  uint64_t output_cap_bytes = uint64_t{256} << 20;
  double step_timeout_seconds = 0;
  std::string spool_dir;
  std::string config;  // YAML: agents
  bool exit_with_parent = false;  // set by `wsfleet run` for its local workers
  std::string metrics_address;  // HOST:PORT; empty: no /metrics
  std::string join_token_file;  // else $WSFLEET_JOIN_TOKEN
  std::string credentials;      // default: WORKDIR/.wsfleet/credentials/ID.pem
  std::string tls_ca;           // the coordinator's CA out of band
  bool insecure = false;        // plaintext TCP
  std::string log_token;        // from wsfleet run: its coordinator shares this machine
  std::string gpus = "auto";    // auto | none | indices: what the worker offers
  bool burn_in = false;         // test the GPUs before offering them
  std::string step_user;        // a root worker runs steps as this user
  std::string grace = "30s";    // SIGTERM: how long running attempts may take before they are handed back
  std::string idle_exit = "0";  // leave after this long with nothing to do (0: never)
  LogFlags log;
};

struct RunOptions {
  std::vector<std::string> paths;
  uint32_t workers = 2;
  uint32_t slots = 1;
  std::string state_dir = ".wsfleet";
  bool keep_going = false;
  bool rerun_failed = false;        // resuming: FAILED, CANCELLED, BLOCKED run again
  std::vector<std::string> rerun;   // resuming: these and their dependents run again
  bool keep_changed = false;        // resuming with edited cards: they do not run again
  std::string workdir = ".";
  std::string isolate = "auto";
  std::string repository;  // passed to the local workers (--repo)
  double heartbeat_seconds = 2;
  double lease_seconds = 10;
  double gang_timeout_seconds = 600;
  uint32_t worker_queue = 1;
  std::string plan_budget;
  bool write_back = false;
  std::string verification;       // lenient | default | strict; empty: the config's, else default
  bool require_verified = false;  // the same as --verification strict
  std::string config;  // YAML: agents, passed to the workers
  uint64_t output_cap_bytes = uint64_t{256} << 20;
  // The coordinator's /metrics; the local workers serve theirs on the same host, port 0.
  std::string metrics_address;
  std::string ui_address = "127.0.0.1:0";  // the plan page's HOST:PORT; "off": none
  size_t step_metric_series = 1000;
  std::string gpus = "auto";  // this machine's GPUs, split among the local workers
  LogFlags log;  // the embedded coordinator's and the local workers' (in workers/local-N.log)
};

int RunCoordinatorCommand(const CoordinatorOptions& options);
int RunWorkerCommand(const WorkerOptions& options);
// `wsfleet run`: an embedded coordinator and N local worker processes run the plan.
int RunPlanCommand(const RunOptions& options);

}  // namespace wsfleet::cli
