#pragma once

#include <atomic>
#include <condition_variable>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/workstream.h"
#include "wsfleet/v1/types.pb.h"
#include "rendezvous/server.h"
#include "worker/agents.h"
#include "worker/git_workspace.h"
#include "worker/local_log.h"
#include "worker/port_block.h"
#include "worker/step_runner.h"
#include "worker/stop_notice.h"
#include "worker/test_reports.h"

namespace wsfleet::worker {

enum class Isolation {
  kNone,      // steps run in the workdir itself
  kWorktree,  // a git worktree per workstream (see git_workspace.h), merged back on success
  kAuto,      // a worktree for workstreams with an agent, when the workdir is a repository
};

struct AttemptRunnerOptions {
  std::string worker_id;
  std::string workdir = ".";       // where steps run (each workstream's worktree with isolate)
  Isolation isolation = Isolation::kNone;
  uint64_t output_cap_bytes = uint64_t{256} << 20;  // per attempt; the rest is counted
  // Past the cap, each step still keeps its last this many bytes (its verdict is there).
  size_t output_tail_bytes = size_t{1} << 20;
  common::Nanos kill_grace = std::chrono::seconds(5);
  common::Nanos default_step_timeout{0};
  std::vector<std::string> base_env;  // the worker's environment, "KEY=value"
  // Which of base_env's variables steps get (steps.env_passthrough); unset: all but WSFLEET_*.
  std::optional<std::vector<std::string>> env_passthrough;
  // What time it is (event times, agents' wall time, which JUnit files are new); tests
  // pass a FakeClock.
  const common::TimeSource* time = &common::SystemTime();
  std::string shell = "/bin/bash";
  // A step that is one simple command runs without its shell (see direct_command.h).
  bool direct_exec = true;
  // Agent type -> the agent run before the card's steps (see agents.h); the shipped
  // templates serve the types not configured here.
  std::map<std::string, AgentSpec> agents;
  std::string spool_dir;  // where the prompt file and the agent's scratch go
  // Steps, agents and git run as this user (a root worker's --step-user), and the attempt's
  // own file work is done with its rights; spool_dir must then be the user's too.
  std::optional<StepUser> step_user;
  // Steps (and agents) run under its guard: they die with the worker and its lease. Null:
  // not guarded (tests, or no guard binary beside wsfleet).
  StepFence* fence = nullptr;
  // Set when the worker is being stopped from outside: a step killed by a signal then is
  // handed back, not failed (see stop_notice.h). None: every such step fails.
  const StopNotice* stop_notice = nullptr;
  std::string self_exe;   // this wsfleet binary, for steps as $WSFLEET_BIN
  // For each new worktree: untracked files copied in from the repository, then a command.
  std::vector<std::string> setup_copy;
  std::string setup_command;
  std::string port_lock_dir = "/tmp/wsfleet-ports";  // see port_block.h
  // The repository to clone and push to (URL or bare repository path) when this worker
  // does not share the workdir's repository with the others; empty: the workdir is it.
  std::string repository;
  // The agent's budget for cards without their own (`budgets.workstream` in the config).
  std::optional<common::Workstream::Budget> default_budget;
};

// "{prompt}" etc. in `command_template` replaced with shell-quoted values.
std::string ExpandAgentCommand(const std::string& command_template,
                               const std::map<std::string, std::string>& values);

// Runs one attempt on its own thread: prepares the workspace, runs each step with the
// attempt's environment, turns output into log, test and metric events, checks the
// deliverables, and reports how it ended. `emit` is called from that thread.
class AttemptRunner {
 public:
  using Emit = std::function<void(v1::Event)>;
  AttemptRunner(v1::AttemptSpec spec, AttemptRunnerOptions options, Emit emit);
  ~AttemptRunner();  // cancels and joins

  void Start();
  void Cancel();  // any thread
  // Stops it as Cancel() does, for a worker that is shutting down: it ends
  // ATTEMPT_OUTCOME_HANDED_BACK (run again elsewhere) rather than cancelled. Any thread.
  void HandBack(const std::string& reason);
  // Ends an attempt that was never started (it waited in the worker's queue) with
  // `outcome`, reporting it like any other end.
  void EndUnstarted(v1::AttemptOutcome outcome, const std::string& message);
  // A rendezvous value of the attempt's gang, relayed by the coordinator. Any thread.
  void OfferRendezvous(const std::string& key, const std::string& value);
  // The coordinator's merge queue says this attempt may merge now. Any thread.
  void GrantMergeTurn(const std::string& summary = "");
  bool started() const { return started_; }
  bool finished() const { return finished_; }
  const v1::AttemptSpec& spec() const { return spec_; }

 private:
  void Run();
  // The agent (when `with_agent`) and the card's steps, numbered from `first_step`.
  v1::AttemptFinished RunSteps(const std::string& workspace, bool with_agent = true,
                               uint32_t first_step = 1, const std::string& name_suffix = "");
  std::string PrepareWorkspace(std::string* error);
  // The card's prompt, plus what a retry must know: why the last attempt failed, and the
  // merge conflicts waiting in the worktree.
  std::string RetryPrompt() const;
  void EmitOutputNote(const std::string& text);  // a line of our own in the attempt's log
  // The attempt's TMPDIR, removed when it ends.
  std::string AttemptTmp(const std::string& workspace) const;
  // Commits the work, waits for the merge turn, rebases onto the integration branch,
  // judges the steps again if that changed anything, and moves the integration branch.
  v1::AttemptFinished MergeBack(uint32_t steps_run);
  // `agent`: the attempt has an agent, which gets its own scratch and state directories.
  std::vector<std::string> Environment(const std::string& workspace, bool agent) const;
  // Whether each deliverable path the card names exists in the workspace.
  void ReportDeliverables(const std::string& workspace);
  // After the steps: the newest coverage report they wrote (since `began`), as the metrics
  // coverage_line_percent and coverage_branch_percent.
  void ReportCoverage(const std::string& workspace, common::WallTime began);
  // After a step: the tests its JUnit reports name, then its runners' closing counts
  // (`summaries`) unless a report named those tests; each test once in the attempt.
  void ReportTests(const std::vector<ParsedSummary>& summaries, const std::string& workspace,
                   const v1::StepSpec& step, common::WallTime step_begin);
  // Keeps the end of the attempt's output, for its AttemptFinished.log_tail.
  void KeepTail(std::string_view data);
  // The worker's lease lapsed: this attempt is handed back (and cancelled) rather than
  // failed; true then.
  bool FencedOut();
  void EmitEvent(v1::Event event);

  v1::AttemptSpec spec_;
  AttemptRunnerOptions options_;
  Emit emit_;
  std::thread thread_;
  std::mutex runner_mutex_;
  StepRunner* current_step_ = nullptr;  // under runner_mutex_
  std::atomic<bool> cancelled_{false};
  std::string hand_back_reason_;  // under runner_mutex_; set by HandBack
  // The step died by a signal while the worker was being stopped from outside: handed back.
  bool KilledWithTheWorker(const StepResult& result);
  std::atomic<bool> finished_{false};
  bool started_ = false;
  std::optional<GitWorkspace> git_;  // when isolated in a worktree
  TestLedger tests_;                 // every test reported, once
  JUnitReports junit_;
  std::string conflicts_;  // files the integration branch's changes conflict with, for the agent
  // The end of the attempt's output (not the agent's JSON stream): runner thread only.
  std::string log_tail_;
  bool new_worktree_ = false;  // set up (copy, setup command) before the first step
  std::optional<PortBlock> ports_;
  std::condition_variable merge_turn_changed_;  // under runner_mutex_
  bool merge_turn_ = false;                      // under runner_mutex_
  std::string merge_summary_;                    // under runner_mutex_: for --write-back
  // Served for multi-node and GPU attempts (their programs exchange NCCL IDs through it).
  std::unique_ptr<rendezvous::Server> rendezvous_;
  // Set when the coordinator shares this machine: output goes straight to its log files.
  std::unique_ptr<LocalLog> local_log_;
  std::string rendezvous_error_;  // why it could not be served: the attempt fails with it
};

}  // namespace wsfleet::worker
