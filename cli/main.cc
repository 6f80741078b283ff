// The wsfleet binary: parses the command line and hands each subcommand its options.

#include <CLI/CLI.hpp>
#include <absl/synchronization/mutex.h>
#include <malloc.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "cli/access_commands.h"
#include "cli/control_commands.h"
#include "common/exit_codes.h"
#include "cli/fleet_commands.h"
#include "cli/clean_command.h"
#include "gpu/cli/commands.h"
#include "cli/rendezvous_commands.h"
#include "cli/signals.h"
#include "cli/plan_commands.h"
#include "cli/version.h"
#include "proto/grpc_settings.h"
#include "common/field_values.h"

namespace {

// The PATH... positional every plan-reading command takes.
void AddPlanPaths(CLI::App* command, std::vector<std::string>& paths) {
  command->add_option("paths", paths, "Card files and folders (folders are walked for *.md)")
      ->required();
}

// --log-level and --log-format, for the commands that run a coordinator or a worker.
void AddLogFlags(CLI::App* command, wsfleet::cli::LogFlags& log) {
  command->add_option("--log-level", log.level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  command->add_option("--log-format", log.format,
                      "Log lines on stderr: text, or json (one object a line: ts, level, component, msg)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

// --ui-addr on `run` and `coordinator`: both serve the plan page.
constexpr const char* kUiAddrHelp =
    "Serve the plan page (the DAG, live) at HOST:PORT (port 0: any free one; off: none); "
    "`wsfleet ui` prints a URL that signs you in. Plain HTTP: keep it on loopback and tunnel "
    "(ssh -L, kubectl port-forward)";

}  // namespace

int main(int argc, char** argv) {
  using namespace wsfleet;
  using namespace wsfleet::cli;
  // Output moves through 1 MiB buffers many times a second. Above glibc's default mmap
  // threshold each one would be a fresh mmap, page faults and munmap; kept in the heap
  // they are reused (measured: 1 GiB of step output 8.5 s -> 4.7 s, docs/benchmarks.md).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // Debian builds Abseil without NDEBUG, and so with its debug-only deadlock detector on:
  // every absl::Mutex lock (gRPC takes several per message) then updated a lock graph
  // under a global lock (GraphCycles in coordinator profiles, docs/benchmarks.md).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  BlockStopSignals();  // before any thread exists; see signals.h
  rpc::RouteGrpcLogs();
  CLI::App app{"wsfleet: run a project's workstream cards on a fleet of GPU machines"};
  app.require_subcommand(1);
  app.set_version_flag("--version", VersionLine());
  app.footer("Exit codes: 0 ok, 1 failed, 2 invalid plan, 64 bad usage, 68 no coordinator answered, 69 no GPU,\n"
             "75 coordinator busy (try again later).\n"
             "Run 'wsfleet COMMAND --help' for a command's options.");
  std::function<int()> run;

  PlanOptions plan;
  CLI::App* plan_cmd = app.add_subcommand(
      "plan", "Validate a plan of workstream cards; show levels and the critical path");
  AddPlanPaths(plan_cmd, plan.paths);
  plan_cmd->add_option("-o,--output", plan.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  plan_cmd->add_option("--config", plan.config,
                       "Config file whose agents: map agent types (role names) to agents")
      ->check(CLI::ExistingFile);
  plan_cmd->add_flag("-v,--verbose", plan.verbose,
                     "Also list files that were read but hold no workstream");
  plan_cmd->footer(
      "Errors and warnings go to stderr as file:line: messages; exit code 2 on any error.\n"
      "Examples:\n"
      "  wsfleet plan examples/hello-fleet\n"
      "  wsfleet plan docs/workstreams plan.md --output json | jq .critical_path");
  plan_cmd->callback([&] { run = [&] { return RunPlan(plan); }; });

  GraphOptions graph;
  CLI::App* graph_cmd = app.add_subcommand(
      "graph", "Print the dependency graph (critical path highlighted)");
  AddPlanPaths(graph_cmd, graph.paths);
  graph_cmd->add_option("-f,--format", graph.format, "Graph format")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}))
      ->capture_default_str();
  graph_cmd->footer(
      "Edges run from a dependency to the workstream that needs it.\n"
      "Examples:\n"
      "  wsfleet graph examples/hello-fleet | dot -Tsvg > plan.svg\n"
      "  wsfleet graph examples/hello-fleet --format mermaid");
  graph_cmd->callback([&] { run = [&] { return RunGraph(graph); }; });

  RunOptions run_options;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run a plan on this machine: an embedded coordinator and local worker processes");
  AddPlanPaths(run_cmd, run_options.paths);
  run_cmd->add_option("--workers", run_options.workers, "Local worker processes")
      ->check(CLI::Range(1, 256))->capture_default_str();
  run_cmd->add_option("--slots", run_options.slots, "Workstreams each worker runs at once")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  run_cmd->add_option("--state", run_options.state_dir,
                      "State directory (store, logs, summaries); a run of the same cards there resumes, "
                      "finished or halted too, without running again what succeeded")
      ->capture_default_str();
  run_cmd->add_flag("--keep-going", run_options.keep_going,
                    "After a failure keep starting work that does not depend on it");
  run_cmd->add_flag("--rerun-failed", run_options.rerun_failed,
                    "Resuming a run of the same cards: run its FAILED, CANCELLED and BLOCKED workstreams "
                    "again (what succeeded stays)");
  run_cmd->add_flag("--keep-changed", run_options.keep_changed,
                    "Resuming a run whose cards were edited since: store the edited cards but do not run "
                    "their workstreams again (by default a changed card runs again with its dependents)");
  run_cmd->add_option("--rerun", run_options.rerun,
                      "Resuming a run of the same cards: run this workstream again with its dependents, "
                      "even if it succeeded (repeatable)");
  run_cmd->add_option("--workdir", run_options.workdir, "Where steps run")->capture_default_str();
  run_cmd->add_option("--isolate", run_options.isolate,
                      "worktree: a git worktree and branch per workstream, merged back into the plan's "
                      "integration branch in order; auto: worktree for workstreams with an agent "
                      "when the workdir is a git repository; none: steps run in the workdir")
      ->check(CLI::IsMember({"auto", "none", "worktree"}))->capture_default_str();
  run_cmd->add_option("--repo", run_options.repository,
                      "A repository (URL or bare repository path) the local workers clone and "
                      "push merges to, instead of the workdir's own");
  run_cmd->add_option("--output-cap", run_options.output_cap_bytes,
                      "Output kept per attempt, bytes; the rest is counted and reported")
      ->capture_default_str();
  run_cmd->add_option("--config", run_options.config,
                      "YAML file: agents (agent type -> command; claude, codex and opencode are built in), workspace (worktree setup), budgets, steps (direct_exec); see docs/user-guide.md#the-config-file");
  run_cmd->add_option("--heartbeat", run_options.heartbeat_seconds, "Heartbeat interval, seconds")
      ->capture_default_str();
  run_cmd->add_option("--lease", run_options.lease_seconds,
                      "A worker silent this long (seconds) is lost")->capture_default_str();
  // A budget the card format would accept (`Budget`), or a usage error naming the problem.
  auto budget_check = CLI::Validator(
      [](std::string& text) {
        absl::StatusOr<wsfleet::common::Workstream::Budget> budget = wsfleet::common::ParseBudget(text);
        return budget.ok() ? std::string() : std::string(budget.status().message());
      },
      "BUDGET");
  run_cmd->add_option("--plan-budget", run_options.plan_budget,
                      "What the plan's agents may spend in all, e.g. '$50, 20M tokens, 500 turns': "
                      "past it, running agents are stopped and nothing more starts")
      ->check(budget_check);
  run_cmd->add_flag("--write-back", run_options.write_back,
                    "Each merge also marks the card's Status Completed and commits "
                    "<WS-ID>-COMPLETION_SUMMARY.md beside it");
  run_cmd->add_option("--verification", run_options.verification,
                      "What must hold besides every step passing: lenient (checked criteria), "
                      "default (also no failed test and every deliverable there), strict (also "
                      "no criterion left unverified)")
      ->check(CLI::IsMember({"lenient", "default", "strict"}));
  run_cmd->add_flag("--require-verified", run_options.require_verified,
                    "A criterion wsfleet could not check fails the workstream (--verification strict)");
  run_cmd->add_option("--gang-timeout", run_options.gang_timeout_seconds,
                      "A multi-node card (Nodes: N) waits this long, seconds, for N workers free "
                      "at once; then it fails with the reason")
      ->check(CLI::PositiveNumber)->capture_default_str();
  run_cmd->add_option("--worker-queue", run_options.worker_queue,
                      "Assignments a busy worker may hold queued beyond its slots and start as they free, "
                      "saving a round trip per workstream (cards without GPUs, agent or gang; one "
                      "waiting 1 s while another worker is free is taken back); 0: none")
      ->capture_default_str();
  run_cmd->add_option("--metrics-addr", run_options.metrics_address,
                      "Serve the coordinator's Prometheus metrics at HOST:PORT/metrics (port 0: "
                      "any free one); each local worker serves its own on HOST, port 0");
  run_cmd->add_option("--ui-addr", run_options.ui_address, kUiAddrHelp)
      ->capture_default_str();
  run_cmd->add_option("--gpus", run_options.gpus,
                      "This machine's GPUs for the run: auto (all the CUDA runtime finds), none, or "
                      "indices such as 0,1; split evenly among the local workers")
      ->capture_default_str();
  run_cmd->add_option("--step-metric-series", run_options.step_metric_series,
                      "Most wsfleet_step_metric series exported (workstream x name)")
      ->capture_default_str();
  run_cmd->footer("Exit code 0 when every workstream succeeded or was skipped, 1 otherwise,\n"
                  "2 for a bad plan. Ctrl-C cancels the run; a second Ctrl-C stops at once.");
  AddLogFlags(run_cmd, run_options.log);
  run_cmd->callback([&] { run = [&] { return RunPlanCommand(run_options); }; });

  CoordinatorOptions coordinator_options;
  CLI::App* coordinator_cmd = app.add_subcommand("coordinator", "Serve as the fleet's coordinator");
  coordinator_cmd->add_option("--listen", coordinator_options.listen,
                              "host:port (port 0: any free one) or unix:/path")
      ->capture_default_str();
  coordinator_cmd->add_option("--state", coordinator_options.state_dir, "State directory")
      ->capture_default_str();
  coordinator_cmd->add_option("--heartbeat", coordinator_options.heartbeat_seconds,
                              "Heartbeat interval workers are given, seconds")
      ->capture_default_str();
  coordinator_cmd->add_option("--lease", coordinator_options.lease_seconds,
                              "A worker silent this long (seconds) is lost")
      ->capture_default_str();
  coordinator_cmd->add_option("--plan-budget", coordinator_options.plan_budget,
                              "What each plan's agents may spend in all, e.g. '$50, 20M tokens': "
                              "past it, running agents are stopped and nothing more starts")
      ->check(budget_check);
  coordinator_cmd->add_flag("--write-back", coordinator_options.write_back,
                            "Each merge also marks the card's Status Completed and commits "
                            "<WS-ID>-COMPLETION_SUMMARY.md beside it");
  coordinator_cmd->add_option("--verification", coordinator_options.verification,
                      "What must hold besides every step passing: lenient (checked criteria), "
                      "default (also no failed test and every deliverable there), strict (also "
                      "no criterion left unverified)")
      ->check(CLI::IsMember({"lenient", "default", "strict"}));
  coordinator_cmd->add_flag("--require-verified", coordinator_options.require_verified,
                    "A criterion wsfleet could not check fails the workstream (--verification strict)");
  coordinator_cmd->add_option("--gang-timeout", coordinator_options.gang_timeout_seconds,
                              "A multi-node card (Nodes: N) waits this long, seconds, for N "
                              "workers free at once; then it fails with the reason")
      ->check(CLI::PositiveNumber)->capture_default_str();
  coordinator_cmd->add_option("--worker-queue", coordinator_options.worker_queue,
                              "Assignments a busy worker may hold queued beyond its slots and start as they free, "
                      "saving a round trip per workstream (cards without GPUs, agent or gang; one "
                      "waiting 1 s while another worker is free is taken back); 0: none")
      ->capture_default_str();
  coordinator_cmd->add_option("--metrics-addr", coordinator_options.metrics_address,
                              "Serve Prometheus metrics at HOST:PORT/metrics (port 0: any free "
                              "one; the address is logged and shown by status)");
  coordinator_cmd->add_option("--ui-addr", coordinator_options.ui_address, kUiAddrHelp)
      ->capture_default_str();
  coordinator_cmd->add_option("--step-metric-series", coordinator_options.step_metric_series,
                              "Most wsfleet_step_metric series exported (workstream x name)")
      ->capture_default_str();
  coordinator_cmd->add_option("--join-token-file", coordinator_options.join_token_file,
                              "File holding a join token (wsf1.<id>.<secret>, e.g. from a Kubernetes Secret) "
                              "registered at start, never expiring (default: $WSFLEET_JOIN_TOKEN); with "
                              "--insecure, any text workers must present");
  coordinator_cmd->add_flag("--insecure", coordinator_options.tls.insecure,
                            "Plaintext TCP: anyone who reaches the port may submit shell commands to every "
                            "worker. Warned at every start and exported as wsfleet_insecure");
  coordinator_cmd->add_option("--advertise", coordinator_options.tls.advertise,
                              "A host name or address workers dial, for the server certificate (besides this "
                              "machine's own names and addresses); repeatable");
  coordinator_cmd->add_option("--tls-cert", coordinator_options.tls.cert_file,
                              "An existing PKI's server certificate (PEM), instead of STATE/tls/");
  coordinator_cmd->add_option("--tls-key", coordinator_options.tls.key_file,
                              "Its private key (PEM, mode 0600)");
  coordinator_cmd->add_option("--tls-client-ca", coordinator_options.tls.client_ca_file,
                              "The CA clients' and workers' certificates chain to (PEM)");
  coordinator_cmd->add_option("--worker-cert-ttl", coordinator_options.worker_cert_ttl,
                              "How long the worker certificates it issues live (workers renew them, "
                              "running, with a third of it left)")
      ->capture_default_str();
  coordinator_cmd->add_option("--tls-ca-key", coordinator_options.tls.ca_key_file,
                              "That CA's key (0600): then join tokens work and the coordinator issues "
                              "worker certificates");
  coordinator_cmd->add_option("--launcher", coordinator_options.launcher,
                              "How workers come to exist: static (started by hand, systemd or a DaemonSet) or "
                              "slurm (sbatch jobs shaped by the work that waits; see docs/slurm.md)")
      ->check(CLI::IsMember({"static", "slurm"}))->capture_default_str();
  coordinator_cmd->add_option("--config", coordinator_options.config,
                              "YAML file; the coordinator reads its slurm section (partition, account, qos, "
                              "sbatch_args, worker_args, features: a card's label or need -> node feature); "
                              "the --slurm-* flags win; see docs/slurm.md");
  coordinator_cmd->add_option("--slurm-partition", coordinator_options.slurm.partition, "sbatch --partition");
  coordinator_cmd->add_option("--slurm-account", coordinator_options.slurm.account, "sbatch --account");
  coordinator_cmd->add_option("--slurm-qos", coordinator_options.slurm.qos, "sbatch --qos");
  coordinator_cmd->add_option("--slurm-sbatch-arg", coordinator_options.slurm.sbatch_args,
                              "One more sbatch argument for every worker job, e.g. --slurm-sbatch-arg=--exclusive; "
                              "repeatable");
  coordinator_cmd->add_option("--slurm-worker-arg", coordinator_options.slurm.worker_args,
                              "One more `wsfleet worker` argument for the jobs' workers, e.g. "
                              "--slurm-worker-arg=--config=/shared/wsfleet.yaml; repeatable");
  coordinator_cmd->add_option("--max-workers", coordinator_options.slurm.max_workers,
                              "Worker nodes the launcher holds at once, every job's together")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  coordinator_cmd->add_option("--idle-exit", coordinator_options.slurm.idle_exit,
                              "A launched worker leaves (its job ends) after this long with nothing to do")
      ->capture_default_str();
  coordinator_cmd->add_option("--slurm-workdir", coordinator_options.slurm.workdir,
                              "The launched workers' --workdir, a path on the nodes (default: this directory)");
  coordinator_cmd->add_option("--slurm-wsfleet", coordinator_options.slurm.wsfleet,
                              "The wsfleet binary on the nodes (default: this one's path)");
  coordinator_cmd->add_option("--slurm-coordinator", coordinator_options.slurm.coordinator,
                              "The address launched workers dial (default: the first --advertise name, else this "
                              "host's name, with the port listened on)");
  coordinator_cmd->add_option("--slurm-slots", coordinator_options.slurm.slots,
                              "--slots of a launched worker without GPUs (one with GPUs runs one card at a time)")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  AddLogFlags(coordinator_cmd, coordinator_options.log);
  coordinator_cmd->callback(
      [&] { run = [&] { return RunCoordinatorCommand(coordinator_options); }; });

  WorkerOptions worker_options;
  CLI::App* worker_cmd = app.add_subcommand("worker", "Run workstreams for a coordinator");
  worker_cmd->add_option("--coordinator", worker_options.coordinator,
                         "Coordinator address: host:port or unix:/path")->required();
  worker_cmd->add_option("--id", worker_options.id, "Worker ID (default: hostname-pid)");
  worker_cmd->add_option("--slots", worker_options.slots, "Workstreams run at once")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  worker_cmd->add_option("--label", worker_options.labels, "key=value, for Labels selectors");
  worker_cmd->add_option("--workdir", worker_options.workdir, "Where steps run")
      ->capture_default_str();
  worker_cmd->add_option("--isolate", worker_options.isolate,
                         "worktree: a git worktree and branch per workstream, merged back into the plan's "
                      "integration branch in order; auto: worktree for workstreams with an agent "
                      "when the workdir is a git repository; none: steps run in the workdir")
      ->check(CLI::IsMember({"auto", "none", "worktree"}))->capture_default_str();
  worker_cmd->add_option("--repo", worker_options.repository,
                         "A repository (URL or bare repository path) to clone into the workdir and "
                         "push merges to, for workers that do not share one repository's filesystem");
  worker_cmd->add_option("--output-cap", worker_options.output_cap_bytes,
                         "Output kept per attempt, bytes; the rest is counted and reported")
      ->capture_default_str();
  worker_cmd->add_option("--step-timeout", worker_options.step_timeout_seconds,
                         "Default step timeout in seconds when a card sets none (0: none)")
      ->capture_default_str();
  worker_cmd->add_flag("--exit-with-parent", worker_options.exit_with_parent,
                       "Exit when the parent process dies (how wsfleet run starts its workers)");
  worker_cmd->add_option("--config", worker_options.config,
                         "YAML file: agents (agent type -> command; claude, codex and opencode are built in), workspace (worktree setup), budgets, steps (direct_exec); see docs/user-guide.md#the-config-file");
  worker_cmd->add_option("--spool", worker_options.spool_dir,
                         "Where unacknowledged events spill (default: WORKDIR/.wsfleet/spool/ID; see --step-user)");
  worker_cmd->add_option("--metrics-addr", worker_options.metrics_address,
                         "Serve Prometheus metrics at HOST:PORT/metrics (port 0: any free one; "
                         "the address is logged and shown by `wsfleet workers`)");
  worker_cmd->add_option("--gpus", worker_options.gpus,
                         "GPUs offered: auto (all the CUDA runtime finds), none, or indices such "
                         "as 0,1 (offered as given where the runtime cannot look)")
      ->capture_default_str();
  worker_cmd->add_flag("--burn-in", worker_options.burn_in,
                       "Test each GPU (memory bandwidth, bf16 GEMM, results checked) before "
                       "offering it; a node that fails offers none and says why in `workers`");
  worker_cmd->add_option("--join-token-file", worker_options.join_token_file,
                         "File holding a join token from `wsfleet token create` (default: "
                         "$WSFLEET_JOIN_TOKEN); needed until the worker has its certificate");
  worker_cmd->add_option("--credentials", worker_options.credentials,
                         "The worker's key, certificate and the fleet's CA, made when it joins and kept "
                         "(default: WORKDIR/.wsfleet/credentials/ID.pem; see --step-user)");
  worker_cmd->add_option("--tls-ca", worker_options.tls_ca,
                         "The coordinator's CA (PEM), for an external PKI or a token without its CA hash");
  worker_cmd->add_flag("--insecure", worker_options.insecure,
                       "Plaintext TCP, for a coordinator started with --insecure");
  worker_cmd->add_option("--grace", worker_options.grace,
                         "On SIGTERM or SIGINT: take no new work and give running attempts this long to "
                         "finish, then hand them back to be run elsewhere (a second signal stops at once)")
      ->capture_default_str();
  worker_cmd->add_option("--idle-exit", worker_options.idle_exit,
                         "Leave (exit 0) after this long with no attempt running or queued, e.g. 5m; 0: "
                         "never. How a worker started by a Slurm job gives its node back")
      ->capture_default_str();
  worker_cmd->add_option("--step-user", worker_options.step_user,
                         "Run steps, agents and their git commands as this user (name or uid); the worker "
                         "must be root, WORKDIR must belong to the user, and the worker's own files move out "
                         "of it (default --credentials /var/lib/wsfleet/worker-ID/credentials.pem, --spool "
                         "/var/lib/wsfleet/worker-ID/spool). See docs/security.md");
  worker_cmd->add_option("--log-token", worker_options.log_token,
                         "Set by `wsfleet run` for its own workers: a coordinator with this token "
                         "shares the machine, and the worker appends its attempts' output to the "
                         "logs in the coordinator's state directory itself");
  AddLogFlags(worker_cmd, worker_options.log);
  worker_cmd->callback([&] { run = [&] { return RunWorkerCommand(worker_options); }; });

  ClientOptions client;
  auto add_client = [&](CLI::App* command) {
    command->add_option("--coordinator", client.coordinator,
                        "Coordinator address (default: $WSFLEET_COORDINATOR, else "
                        "unix:.wsfleet/coordinator.sock)");
    command->add_option("--credentials", client.credentials,
                        "Credentials file from `wsfleet admin-cert create`, for a TCP address (default: "
                        "$WSFLEET_CREDENTIALS)");
    command->add_flag("--insecure", client.insecure, "Plaintext TCP, for a coordinator started with --insecure");
  };
  // Commands on one plan: which, when the coordinator holds several (`wsfleet plans`).
  auto add_plan = [&](CLI::App* command) {
    command->add_option("--plan", client.plan,
                        "Plan ID (from `wsfleet plans`); default: the only plan held, else the only one running");
  };
  std::vector<std::string> submit_paths;
  bool submit_keep_going = false;
  coordinator::PlanLimits submit_limits;
  CLI::App* submit_cmd = app.add_subcommand(
      "submit", "Submit a plan to a running coordinator (beside the plans it runs; they share the fleet)");
  AddPlanPaths(submit_cmd, submit_paths);
  submit_cmd->add_flag("--keep-going", submit_keep_going,
                       "After a failure keep starting work that does not depend on it");
  submit_cmd->add_option("--share", submit_limits.share,
                         "Its weight in the fair share of slots and GPUs among the plans running at once "
                         "(a plan of share 2 holds twice what one of share 1 does while both have work)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  submit_cmd->add_option("--max-gpus", submit_limits.max_gpus, "GPUs the plan may hold at once (0: no limit)")
      ->capture_default_str();
  submit_cmd->add_option("--max-workers", submit_limits.max_workers,
                         "Workers the plan may run on at once (0: no limit)")
      ->capture_default_str();
  add_client(submit_cmd);
  submit_cmd->callback([&] {
    run = [&] { return SubmitCommand(client, submit_paths, submit_keep_going, submit_limits); };
  });

  CLI::App* plans_cmd = app.add_subcommand(
      "plans", "List the plans the coordinator holds: progress, share of the fleet, what is left, agent spend");
  add_client(plans_cmd);
  plans_cmd->add_option("-o,--output", client.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  plans_cmd->callback([&] { run = [&] { return PlansCommand(client); }; });

  CLI::App* ui_cmd = app.add_subcommand(
      "ui", "Print a URL that opens the coordinator's plan page (its DAG, live) in a browser; good once, for 10 minutes");
  add_client(ui_cmd);
  ui_cmd->callback([&] { run = [&] { return UiCommand(client); }; });

  CLI::App* status_cmd = app.add_subcommand("status", "Show the run's workstreams and states");
  add_client(status_cmd);
  add_plan(status_cmd);
  status_cmd->add_option("-o,--output", client.output, "Output format")
      ->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  bool watch_status = false;
  status_cmd->add_flag("--watch", watch_status,
                       "Follow the plan until it ends: the live view on a terminal (running workstreams, a "
                       "progress bar), a line per change when piped; then the table. Exits 0 if every "
                       "workstream succeeded, 1 if not");
  status_cmd->callback([&] {
    run = [&] { return watch_status ? WatchStatusCommand(client) : StatusCommand(client); };
  });

  std::string logs_workstream;
  bool logs_follow = false;
  CLI::App* logs_cmd = app.add_subcommand("logs", "Print a workstream's output (every attempt)");
  logs_cmd->add_option("workstream", logs_workstream, "Workstream ID, e.g. WS-03")->required();
  logs_cmd->add_flag("-f,--follow", logs_follow, "Keep printing until the workstream ends");
  add_client(logs_cmd);
  add_plan(logs_cmd);
  logs_cmd->callback([&] { run = [&] { return LogsCommand(client, logs_workstream, logs_follow); }; });

  std::string cancel_workstream;
  bool cancel_all = false;
  CLI::App* cancel_cmd = app.add_subcommand("cancel", "Cancel a workstream (or --all)");
  cancel_cmd->add_option("workstream", cancel_workstream, "Workstream ID");
  cancel_cmd->add_flag("--all", cancel_all, "Cancel everything not finished (of the plan)");
  add_client(cancel_cmd);
  add_plan(cancel_cmd);
  cancel_cmd->callback([&] {
    run = [&] {
      if (cancel_workstream.empty() == cancel_all) {
        return CancelCommand(client, cancel_workstream, cancel_all);
      }
      std::cerr << "cancel: give a workstream ID or --all (not both)\n";
      return kExitUsage;
    };
  });

  std::string retry_workstream;
  bool retry_failed = false;
  CLI::App* retry_cmd = app.add_subcommand(
      "retry", "Run a failed or cancelled workstream again; with --failed, everything that did not succeed");
  retry_cmd->add_option("workstream", retry_workstream,
                        "Workstream ID (FAILED or CANCELLED; with --failed any, run again with its dependents)");
  retry_cmd->add_flag("--failed", retry_failed,
                      "Every FAILED, CANCELLED and BLOCKED workstream, with what depends on them; SUCCEEDED "
                      "ones stay (a finished or halted plan runs again for them)");
  add_client(retry_cmd);
  add_plan(retry_cmd);
  retry_cmd->callback([&] { run = [&] { return RetryCommand(client, retry_workstream, retry_failed); }; });

  CLI::App* workers_cmd = app.add_subcommand("workers", "List the workers and their state");
  add_client(workers_cmd);
  workers_cmd->add_option("-o,--output", client.output, "Output format (json has each worker's labels)")
      ->check(CLI::IsMember({"table", "json"}))->capture_default_str();
  workers_cmd->callback([&] { run = [&] { return WorkersCommand(client); }; });

  std::string drain_worker;
  CLI::App* drain_cmd = app.add_subcommand("drain", "Stop giving new work to a worker");
  drain_cmd->add_option("worker", drain_worker, "Worker ID")->required();
  add_client(drain_cmd);
  drain_cmd->callback([&] { run = [&] { return DrainCommand(client, drain_worker); }; });

  AddCleanCommand(app, run);
  AddAccessCommands(app, run);
  wsfleet::gpu::cli::AddGpuCommands(app, run);
  AddRendezvousCommands(app, run);

  CLI::App* version_cmd = app.add_subcommand("version", "Print the version and build");
  version_cmd->footer("");
  version_cmd->callback([&] {
    run = [] {
      std::cout << VersionLine() << "\n";
      return kExitOk;
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  // Only these watch for SIGINT and SIGTERM and stop in order; the rest end at once.
  if (!coordinator_cmd->parsed() && !worker_cmd->parsed() && !run_cmd->parsed()) UnblockStopSignals();
  return run ? run() : kExitUsage;
}
