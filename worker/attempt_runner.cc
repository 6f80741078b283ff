#include "worker/attempt_runner.h"

#include <csignal>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <fstream>
#include <iterator>
#include <sstream>

#include "worker/agent_reporter.h"
#include "worker/coverage_reports.h"
#include "worker/merge_back.h"
#include "worker/output_parsers.h"
#include "worker/output_tail.h"
#include "worker/step_environment.h"
#include "worker/test_reports.h"

namespace wsfleet::worker {
namespace fs = std::filesystem;
namespace {

v1::TestStatus ToProto(TestOutcome outcome) {
  switch (outcome) {
    case TestOutcome::kPassed: return v1::TEST_STATUS_PASSED;
    case TestOutcome::kFailed: return v1::TEST_STATUS_FAILED;
    case TestOutcome::kSkipped: return v1::TEST_STATUS_SKIPPED;
    case TestOutcome::kError: return v1::TEST_STATUS_ERROR;
  }
  return v1::TEST_STATUS_UNSPECIFIED;
}

v1::Event TestEvent(const ParsedTest& test, const std::string& kind) {
  v1::Event event;
  v1::TestCase& out = *event.mutable_test();
  out.set_kind(kind);
  out.set_framework(test.framework);
  out.set_suite(test.suite);
  out.set_name(test.name);
  out.set_status(ToProto(test.outcome));
  out.set_seconds(test.seconds);
  return event;
}

v1::Event SummaryEvent(const ParsedSummary& summary, const std::string& kind) {
  v1::Event event;
  v1::TestSummary& out = *event.mutable_test_summary();
  out.set_kind(kind);
  out.set_framework(summary.framework);
  out.set_passed(static_cast<uint32_t>(summary.passed));
  out.set_failed(static_cast<uint32_t>(summary.failed));
  out.set_skipped(static_cast<uint32_t>(summary.skipped));
  return event;
}

// Streams a step's output: caps what the attempt keeps, feeds the parsers, emits events.
class StepSink : public OutputSink {
 public:
  StepSink(uint32_t step, std::string test_kind, uint64_t& budget, size_t tail_bytes,
           std::function<void(v1::Event)> emit, TestLedger& tests, AgentReporter* agent = nullptr)
      : step_(step),
        test_kind_(std::move(test_kind)),
        budget_(budget),
        tail_(tail_bytes),
        emit_(std::move(emit)),
        tests_(tests),
        agent_(agent) {}

  void OnOutput(OutputStream stream, std::string_view data) override {
    if (agent_ != nullptr && stream == OutputStream::kStdout) agent_->OnStdout(data);
    std::vector<ParsedItem> items;
    (stream == OutputStream::kStdout ? out_scanner_ : err_scanner_).Feed(data, items);
    EmitItems(items);
    size_t kept = static_cast<size_t>(std::min<uint64_t>(budget_, data.size()));
    budget_ -= kept;
    if (kept > 0) Chunk(stream, std::string(data.substr(0, kept)));
    if (kept < data.size()) tail_.Add(stream, data.substr(kept));  // past the cap
  }

  void Finish() {
    std::vector<ParsedItem> items;
    out_scanner_.Finish(items);
    err_scanner_.Finish(items);
    EmitItems(items);
    if (agent_ != nullptr) agent_->Finish();
    // Past the cap: where output was dropped, then the step's last bytes.
    if (tail_.dropped() > 0) {
      Chunk(OutputStream::kStdout, "\n[wsfleet: " + std::to_string(tail_.dropped()) +
                                       " bytes of output over the cap dropped here]\n");
    }
    for (auto& [stream, data] : tail_.Take()) Chunk(stream, std::move(data));
  }
  uint64_t dropped() const { return tail_.dropped(); }
  // Runners' closing counts, held to the step's end: a JUnit report of the same run names
  // those tests, and then they are counted from it instead.
  std::vector<ParsedSummary> TakeSummaries() { return std::exchange(summaries_, {}); }

 private:
  void Chunk(OutputStream stream, std::string data) {
    v1::Event event;
    v1::LogChunk& log = *event.mutable_log();
    log.set_step(step_);
    log.set_stream(stream == OutputStream::kStdout ? v1::LogChunk::STREAM_STDOUT : v1::LogChunk::STREAM_STDERR);
    log.set_data(std::move(data));
    log.set_transcript(agent_ != nullptr && stream == OutputStream::kStdout);
    emit_(std::move(event));
  }

  void EmitItems(const std::vector<ParsedItem>& items) {
    for (const ParsedItem& item : items) {
      if (const auto* test = std::get_if<ParsedTest>(&item)) {
        if (tests_.Admit(*test)) emit_(TestEvent(*test, test_kind_));
      } else if (const auto* metric = std::get_if<ParsedMetric>(&item)) {
        v1::Event event;
        event.mutable_metric()->set_name(metric->name);
        event.mutable_metric()->set_value(metric->value);
        event.mutable_metric()->set_unit(metric->unit);
        emit_(std::move(event));
      } else if (const auto* summary = std::get_if<ParsedSummary>(&item)) {
        summaries_.push_back(*summary);
      }
    }
  }

  uint32_t step_;
  std::string test_kind_;
  uint64_t& budget_;
  OutputTail tail_;
  std::function<void(v1::Event)> emit_;
  TestLedger& tests_;
  AgentReporter* agent_;  // the agent step's: its stdout is its event stream
  std::vector<ParsedSummary> summaries_;
  OutputScanner out_scanner_;
  OutputScanner err_scanner_;
};

std::string ShellQuote(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string ExpandAgentCommand(const std::string& command_template,
                               const std::map<std::string, std::string>& values) {
  std::string out;
  for (size_t i = 0; i < command_template.size(); ++i) {
    if (command_template[i] == '{') {
      size_t close = command_template.find('}', i);
      if (close != std::string::npos) {
        auto found = values.find(command_template.substr(i + 1, close - i - 1));
        if (found != values.end()) {
          out += ShellQuote(found->second);
          i = close;
          continue;
        }
      }
    }
    out += command_template[i];
  }
  return out;
}

AttemptRunner::AttemptRunner(v1::AttemptSpec spec, AttemptRunnerOptions options, Emit emit)
    : spec_(std::move(spec)), options_(std::move(options)), emit_(std::move(emit)) {
  if (!spec_.log_path().empty()) {
    local_log_ = std::make_unique<LocalLog>(spec_.log_path(), spec_.transcript_path());
  }
}

AttemptRunner::~AttemptRunner() {
  Cancel();
  if (rendezvous_ != nullptr) rendezvous_->Stop();
  if (thread_.joinable()) thread_.join();
}

void AttemptRunner::Start() {
  if (spec_.nodes() > 1 || spec_.gpu_indices_size() > 0) {
    rendezvous_ = std::make_unique<rendezvous::Server>([this](const std::string& key,
                                                              const std::string& value) {
      v1::Event event;
      event.mutable_rendezvous_put()->set_key(key);
      event.mutable_rendezvous_put()->set_value(value);
      EmitEvent(std::move(event));
    });
    if (absl::Status status = rendezvous_->Start(); !status.ok()) {
      rendezvous_error_ = "cannot serve the attempt's rendezvous: " + std::string(status.message());
    } else if (options_.step_user &&
               (::chown(rendezvous_->directory().c_str(), options_.step_user->uid, options_.step_user->gid) != 0 ||
                ::lchown(rendezvous_->socket_path().c_str(), options_.step_user->uid, options_.step_user->gid) != 0)) {
      // The directory is the worker's own (just made, 0700): only the step user gets in.
      rendezvous_error_ = "cannot give the rendezvous socket to the step user: " + std::string(std::strerror(errno));
    }
  }
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void AttemptRunner::EndUnstarted(v1::AttemptOutcome outcome, const std::string& message) {
  if (started_ || finished_) return;
  v1::Event end;
  end.mutable_finished()->set_outcome(outcome);
  end.mutable_finished()->set_message(message);
  EmitEvent(std::move(end));
  finished_ = true;
}

void AttemptRunner::OfferRendezvous(const std::string& key, const std::string& value) {
  if (rendezvous_ != nullptr) rendezvous_->Offer(key, value);
}

void AttemptRunner::HandBack(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(runner_mutex_);
    hand_back_reason_ = reason;
  }
  Cancel();
}

bool AttemptRunner::KilledWithTheWorker(const StepResult& result) {
  // What schedulers stop a job with; a crash (SIGSEGV) or the OOM killer's SIGKILL outside a
  // stop is the card's.
  if (options_.stop_notice == nullptr || (result.signal != SIGTERM && result.signal != SIGKILL &&
                                          result.signal != SIGINT && result.signal != SIGHUP)) {
    return false;
  }
  std::optional<std::string> why = options_.stop_notice->WaitFor(std::chrono::seconds(1));
  if (!why) return false;
  std::lock_guard<std::mutex> lock(runner_mutex_);
  if (hand_back_reason_.empty()) {
    hand_back_reason_ = "handed back: its step was killed (" + result.Describe() + ") as " + options_.worker_id +
                        " was being stopped (" + *why + ")";
  }
  return true;
}

bool AttemptRunner::FencedOut() {
  if (options_.fence == nullptr || !options_.fence->Lapsed()) return false;
  {
    std::lock_guard<std::mutex> lock(runner_mutex_);
    if (hand_back_reason_.empty()) {
      hand_back_reason_ = "fenced: this worker's lease lapsed (no renewal from the coordinator within a lease)";
    }
  }
  cancelled_ = true;
  return true;
}

void AttemptRunner::Cancel() {
  cancelled_ = true;
  {
    std::lock_guard<std::mutex> lock(runner_mutex_);
    if (current_step_ != nullptr) current_step_->Cancel();
  }
  merge_turn_changed_.notify_all();
}

void AttemptRunner::EmitEvent(v1::Event event) {
  event.set_time_unix_ms(common::ToUnixMillis(options_.time->WallNow()));
  if (event.has_log() && !event.log().transcript()) KeepTail(event.log().data());
  if (local_log_ != nullptr && event.has_log()) local_log_->Take(*event.mutable_log());
  emit_(std::move(event));
}

std::string AttemptRunner::PrepareWorkspace(std::string* error) {
  std::error_code ignored;
  fs::path workdir = fs::absolute(options_.workdir, ignored);
  bool worktree = options_.isolation == Isolation::kWorktree ||
                  (options_.isolation == Isolation::kAuto &&
                   FindAgent(options_.agents, spec_.agent_type()).has_value() &&
                   (!options_.repository.empty() || fs::exists(workdir / ".git", ignored)));
  if (!worktree) {
    fs::create_directories(workdir, ignored);
    return workdir.string();
  }
  // One worktree per workstream, on its own branch from the plan's integration branch, so
  // parallel agents do not collide and each starts from what its dependencies merged.
  git_.emplace(workdir.string(), spec_.plan_id(), spec_.workstream_id(), options_.base_env,
               options_.repository, options_.step_user);
  absl::StatusOr<GitWorkspace::Prepared> prepared = git_->Prepare();
  if (!prepared.ok()) {
    *error = std::string(prepared.status().message());
    return "";
  }
  for (const std::string& file : prepared->conflicts) conflicts_ += (conflicts_.empty() ? "" : ", ") + file;
  new_worktree_ = prepared->created;
  if (new_worktree_) {
    // Untracked files a workspace needs (.env, local config) come from the repository.
    for (const std::string& file : options_.setup_copy) {
      // With a remote there is no checkout of the repository here: copies come from the workdir.
      fs::path from = workdir / file, to = fs::path(git_->path()) / file;
      std::error_code copy_error;
      fs::create_directories(to.parent_path(), copy_error);
      fs::copy(from, to, fs::copy_options::overwrite_existing | fs::copy_options::recursive, copy_error);
      if (copy_error) {
        *error = "workspace.copy: cannot copy " + from.string() + ": " + copy_error.message();
        return "";
      }
    }
  }
  return git_->path();
}

std::string AttemptRunner::AttemptTmp(const std::string& workspace) const {
  fs::path spool = options_.spool_dir.empty() ? fs::path(workspace) / ".wsfleet" : fs::path(options_.spool_dir);
  return (spool / "tmp" / spec_.attempt_id()).string();
}

void AttemptRunner::EmitOutputNote(const std::string& text) {
  v1::Event event;
  event.mutable_log()->set_stream(v1::LogChunk::STREAM_STDERR);
  event.mutable_log()->set_data("wsfleet: " + text + "\n");
  EmitEvent(std::move(event));
}

std::string AttemptRunner::RetryPrompt() const {
  std::string prompt = spec_.prompt();
  if (!spec_.previous_failure().empty()) {
    prompt += "\n## Your previous attempt failed\n\n" + spec_.previous_failure() +
              "\n\nFix what made it fail; the same steps will judge your work again.\n";
  }
  if (!conflicts_.empty() && git_) {
    prompt += "\n## Merge conflict\n\nWork merged into " + git_->integration_branch() +
              " since you started conflicts with yours in: " + conflicts_ +
              ". Those files contain conflict markers (<<<<<<< ======= >>>>>>>): resolve them so "
              "that both changes' intent survives. wsfleet commits the result.\n";
  }
  return prompt;
}

void AttemptRunner::GrantMergeTurn(const std::string& summary) {
  {
    std::lock_guard<std::mutex> lock(runner_mutex_);
    merge_turn_ = true;
    merge_summary_ = summary;
  }
  merge_turn_changed_.notify_all();
}

v1::AttemptFinished AttemptRunner::MergeBack(uint32_t steps_run) {
  MergeBackHooks hooks;
  hooks.emit = [this](v1::Event event) { EmitEvent(std::move(event)); };
  hooks.wait_for_turn = [this]() -> std::optional<std::string> {
    std::unique_lock<std::mutex> lock(runner_mutex_);
    merge_turn_changed_.wait(lock, [this] { return merge_turn_ || cancelled_; });
    if (cancelled_) return std::nullopt;
    return merge_summary_;
  };
  hooks.write_back = [this](const std::string& summary) {
    return WriteBackCard(*git_, options_.workdir, spec_, summary);
  };
  hooks.retest = [this, &steps_run] {
    v1::AttemptFinished again = RunSteps(git_->path(), /*with_agent=*/false, steps_run + 1, " after rebase");
    steps_run += static_cast<uint32_t>(spec_.steps_size());
    return again;
  };
  hooks.note = [this](const std::string& text) { EmitOutputNote(text); };
  return worker::MergeBack(*git_, spec_, hooks);
}

std::vector<std::string> AttemptRunner::Environment(const std::string& workspace, bool agent) const {
  StepEnvironmentInputs inputs;
  inputs.base = options_.base_env;
  inputs.passthrough = options_.env_passthrough;
  inputs.workspace = workspace;
  inputs.worker_id = options_.worker_id;
  if (rendezvous_ != nullptr && rendezvous_error_.empty()) inputs.rendezvous_socket = rendezvous_->socket_path();
  inputs.self_exe = options_.self_exe;
  if (ports_) {
    inputs.port_base = ports_->base();
    inputs.port_count = PortBlock::kBlockSize;
  }
  if (agent) {
    fs::path tmp = AttemptTmp(workspace);
    fs::path state = tmp.parent_path().parent_path() / "agent-state" / spec_.workstream_id();
    std::error_code ignored;
    fs::create_directories(tmp, ignored);
    fs::create_directories(state, ignored);
    inputs.agent_tmp = tmp.string();
    inputs.agent_state = state.string();
  }
  return StepEnvironment(spec_, inputs);
}

void AttemptRunner::Run() {
  common::WallTime began = options_.time->WallNow();
  ports_ = PortBlock::Acquire(options_.port_lock_dir);  // none when all are taken: no variable
  // From here this thread touches the workspace with the step user's rights only.
  std::optional<ThreadFilesystemUser> as_step_user;
  if (options_.step_user) as_step_user.emplace(*options_.step_user);
  std::string error = "cannot take the file rights of the step user";
  std::string workspace = as_step_user && !as_step_user->ok() ? "" : PrepareWorkspace(&error);
  v1::Event started;
  started.mutable_started()->set_worker_id(options_.worker_id);
  started.mutable_started()->set_workspace(workspace);
  EmitEvent(std::move(started));
  v1::AttemptFinished finished;
  if (workspace.empty() || !rendezvous_error_.empty()) {
    finished.set_outcome(v1::ATTEMPT_OUTCOME_FAILED);
    finished.set_message(workspace.empty() ? error : rendezvous_error_);
  } else {
    finished = RunSteps(workspace);
    if (finished.outcome() == v1::ATTEMPT_OUTCOME_SUCCEEDED && git_) {
      // Checked before the merge turn is asked for: the summary the merge commits says
      // what was found (and again after, when a rebase ran the steps again).
      ReportDeliverables(workspace);
      bool agent = FindAgent(options_.agents, spec_.agent_type()).has_value();
      finished = MergeBack(static_cast<uint32_t>(spec_.steps_size()) + (agent ? 1 : 0));
    }
  }
  // Nothing may put or wait once the steps are done; the attempt's scratch goes.
  if (rendezvous_ != nullptr) rendezvous_->Stop();
  std::error_code tmp_error;
  fs::remove_all(AttemptTmp(workspace), tmp_error);
  bool stepped = !workspace.empty() && (finished.outcome() == v1::ATTEMPT_OUTCOME_SUCCEEDED ||
                                        finished.outcome() == v1::ATTEMPT_OUTCOME_FAILED);
  if (stepped) ReportCoverage(workspace, began);
  if (finished.outcome() == v1::ATTEMPT_OUTCOME_SUCCEEDED) ReportDeliverables(workspace);
  {
    std::lock_guard<std::mutex> lock(runner_mutex_);
    if (!hand_back_reason_.empty() && finished.outcome() == v1::ATTEMPT_OUTCOME_CANCELLED) {
      finished.set_outcome(v1::ATTEMPT_OUTCOME_HANDED_BACK);
      finished.set_message(hand_back_reason_ + " (" + finished.message() + ")");
    }
  }
  v1::Event end;
  *end.mutable_finished() = finished;
  if (finished.outcome() != v1::ATTEMPT_OUTCOME_SUCCEEDED) end.mutable_finished()->set_log_tail(log_tail_);
  EmitEvent(std::move(end));
  finished_ = true;
}

void AttemptRunner::KeepTail(std::string_view data) {
  constexpr size_t kTail = 3000;
  if (data.size() >= kTail) {
    log_tail_.assign(data.substr(data.size() - kTail));
    return;
  }
  log_tail_.append(data);
  if (log_tail_.size() > kTail) log_tail_.erase(0, log_tail_.size() - kTail);
}

v1::AttemptFinished AttemptRunner::RunSteps(const std::string& workspace, bool with_agent,
                                            uint32_t first_step, const std::string& name_suffix) {
  v1::AttemptFinished finished;
  finished.set_outcome(v1::ATTEMPT_OUTCOME_SUCCEEDED);
  uint64_t budget = options_.output_cap_bytes;
  std::vector<std::string> env =
      Environment(workspace, FindAgent(options_.agents, spec_.agent_type()).has_value());
  common::Nanos timeout = spec_.timeout_seconds() > 0
                              ? common::Nanos(std::chrono::seconds(spec_.timeout_seconds()))
                              : options_.default_step_timeout;
  std::vector<v1::StepSpec> steps(spec_.steps().begin(), spec_.steps().end());
  std::optional<AgentSpec> agent =
      with_agent ? FindAgent(options_.agents, spec_.agent_type()) : std::nullopt;
  if (with_agent && new_worktree_ && !options_.setup_command.empty()) {
    v1::StepSpec setup;
    setup.set_name("setup");
    setup.set_phase(v1::STEP_PHASE_SETUP);
    setup.set_file("workspace.setup (config)");
    setup.set_script(options_.setup_command);
    steps.insert(steps.begin(), setup);
  }
  if (agent) {
    // The agent works first; then the card's own steps judge its work.
    fs::path prompt = fs::path(options_.spool_dir.empty() ? workspace : options_.spool_dir) /
                      "prompts" / (spec_.attempt_id() + ".md");
    std::error_code ignored;
    fs::create_directories(prompt.parent_path(), ignored);
    std::ofstream(prompt) << RetryPrompt();
    v1::StepSpec step;
    step.set_name("agent " + spec_.agent_type());
    step.set_phase(v1::STEP_PHASE_AGENT);
    step.set_file(spec_.card_path());
    step.set_line(spec_.card_line());  // the card, not line 0
    bool resume = !spec_.resume_session().empty() && !agent->resume.empty();
    step.set_script(ExpandAgentCommand(
        resume ? agent->resume : agent->command,
        {{"prompt", prompt.string()}, {"card", spec_.card_path()}, {"workspace", workspace},
         {"id", spec_.workstream_id()}, {"attempt", spec_.attempt_id()},
         {"session", spec_.resume_session()}}));
    steps.insert(steps.begin() + (steps.empty() || steps.front().phase() != v1::STEP_PHASE_SETUP ? 0 : 1), step);
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    v1::StepSpec& step = steps[i];
    step.set_name(step.name() + name_suffix);
    auto number = static_cast<uint32_t>(i) + first_step;
    if (FencedOut() || cancelled_) {
      finished.set_outcome(v1::ATTEMPT_OUTCOME_CANCELLED);
      finished.set_message("cancelled before " + step.name());
      return finished;
    }
    v1::Event step_started;
    step_started.mutable_step_started()->set_step(number);
    step_started.mutable_step_started()->set_name(step.name());
    EmitEvent(std::move(step_started));
    StepLaunch launch;
    // A block labelled sh gets the POSIX shell its author asked for (much cheaper to
    // start than bash); everything else runs in bash with pipefail.
    bool posix_shell = step.language() == "sh";
    if (posix_shell) {
      launch.argv = {"/bin/sh", "-e", "-c", step.script()};
    } else {
      launch.argv = {options_.shell, "-eo", "pipefail", "-c", step.script()};
    }
    launch.workdir = workspace;
    launch.env = env;
    launch.user = options_.step_user;
    launch.fence = options_.fence;
    if (options_.direct_exec) {
      launch.direct = PlanDirectCommand(step.script(), posix_shell ? StepShell::kSh : StepShell::kBash,
                                        workspace, env);
    }
    launch.timeout = timeout;
    launch.hang_timeout = std::chrono::seconds(spec_.hang_timeout_seconds());
    launch.kill_grace = options_.kill_grace;
    StepRunner runner;
    std::optional<AgentReporter> reporter;
    if (step.phase() == v1::STEP_PHASE_AGENT) {
      // Silence from an agent means it is stalled; its budget stops it mid-run.
      if (launch.hang_timeout.count() == 0) launch.hang_timeout = agent->idle_timeout;
      common::Workstream::Budget spend;
      if (spec_.has_budget()) {
        const v1::AgentBudget& card = spec_.budget();
        spend = {card.wall_seconds(), card.turns(), card.tokens(), card.dollars()};
      } else if (options_.default_budget) {
        spend = *options_.default_budget;
      }
      if (spend.wall_seconds > 0) {
        common::Nanos wall = std::chrono::seconds(spend.wall_seconds);
        launch.timeout = launch.timeout.count() > 0 ? std::min(launch.timeout, wall) : wall;
      }
      AgentBudget limits{spend.turns, spend.tokens, spend.dollars};
      reporter.emplace(spec_.agent_type(), agent->format, limits,
                       [this](v1::Event event) { EmitEvent(std::move(event)); },
                       [&runner](const std::string&) { runner.Cancel(); },
                       [&runner] { return runner.pid(); }, *options_.time);
      if (!spec_.resume_session().empty() && !agent->resume.empty()) {
        const v1::AgentReport& before = spec_.resume_baseline();
        reporter->ResumedFrom({before.input_tokens(), before.cached_input_tokens(), before.output_tokens(),
                               before.cost_usd()});
      }
    }
    StepSink sink(number, TestKindOf(step.heading(), step.script()), budget, options_.output_tail_bytes,
                  [this](v1::Event event) { EmitEvent(std::move(event)); }, tests_, reporter ? &*reporter : nullptr);
    {
      std::lock_guard<std::mutex> lock(runner_mutex_);
      current_step_ = &runner;
      if (cancelled_) runner.Cancel();
    }
    common::WallTime step_begin = options_.time->WallNow();
    StepResult result = runner.Run(launch, sink);
    {
      std::lock_guard<std::mutex> lock(runner_mutex_);
      current_step_ = nullptr;
    }
    sink.Finish();
    ReportTests(sink.TakeSummaries(), workspace, step, step_begin);
    v1::Event step_finished;
    v1::StepFinished& out = *step_finished.mutable_step_finished();
    out.set_step(number);
    out.set_exit_code(result.exit_code);
    out.set_signal(result.signal);
    out.set_timed_out(result.timed_out);
    out.set_hung(result.hung);
    out.set_duration_ms(std::chrono::duration_cast<std::chrono::milliseconds>(result.duration).count());
    out.set_output_capped(sink.dropped() > 0);
    out.set_output_dropped_bytes(sink.dropped());
    EmitEvent(std::move(step_finished));
    if (reporter && !reporter->budget_stop().empty()) {
      finished.set_outcome(v1::ATTEMPT_OUTCOME_FAILED);
      finished.set_budget_stop(true);
      finished.set_message(step.name() + ": stopped by its budget: " + reporter->budget_stop());
      return finished;
    }
    // The guard killed it at the lease's end (or the lease ran out while it failed): the
    // worker no longer owns this attempt, which is no failure of the card.
    if (!result.succeeded() && FencedOut()) result.cancelled = true;
    if (!result.succeeded() && !result.cancelled && KilledWithTheWorker(result)) result.cancelled = true;
    if (!result.succeeded()) {
      std::string where = step.name() + " (" + step.file() + ":" + std::to_string(step.line()) + ")";
      finished.set_outcome(result.cancelled ? v1::ATTEMPT_OUTCOME_CANCELLED
                           : result.timed_out ? v1::ATTEMPT_OUTCOME_TIMED_OUT
                                              : v1::ATTEMPT_OUTCOME_FAILED);
      std::string how = result.Describe();
      if (reporter && result.hung) {
        finished.set_agent_stalled(true);
        how = "stalled: no output for " + std::to_string(launch.hang_timeout.count() / 1'000'000'000) + " s";
      }
      if (step.phase() == v1::STEP_PHASE_AGENT && result.exit_code == 127) {
        // The shell's word for it is in the log alone; the message should say it.
        std::string command = agent->command.substr(0, agent->command.find(' '));
        how += ": '" + command + "' was not found on this worker's PATH (is the " + spec_.agent_type() +
               " CLI installed here?)";
      }
      std::string agent_error = reporter ? reporter->usage().error : "";
      finished.set_message(where + ": " + how + (agent_error.empty() ? "" : " (the agent said: " + agent_error + ")"));
      return finished;
    }
  }
  if (budget == 0) finished.set_message("output over the cap was dropped (see step events)");
  return finished;
}

void AttemptRunner::ReportDeliverables(const std::string& workspace) {
  constexpr uintmax_t kMaxCountedBytes = 64 << 20;
  for (const std::string& path : spec_.deliverable_paths()) {
    std::error_code error;
    fs::path file = fs::path(workspace) / path;
    v1::Event event;
    v1::DeliverableStatus& status = *event.mutable_deliverable();
    status.set_path(path);
    status.set_exists(fs::exists(file, error));
    if (status.exists() && fs::is_regular_file(file, error) && fs::file_size(file, error) <= kMaxCountedBytes && !error) {
      // Lines as `wc -l` would count them, a last line without its newline included.
      std::ifstream in(file, std::ios::binary);
      uint64_t lines = 0;
      char last = '\n';
      for (char buffer[65536]; in.read(buffer, sizeof buffer) || in.gcount() > 0;) {
        std::streamsize got = in.gcount();
        lines += static_cast<uint64_t>(std::count(buffer, buffer + got, '\n'));
        last = buffer[got - 1];
      }
      status.set_lines(lines + (last != '\n' ? 1 : 0));
      status.set_counted(true);
    }
    EmitEvent(std::move(event));
  }
}

void AttemptRunner::ReportCoverage(const std::string& workspace, common::WallTime began) {
  std::vector<std::string> scripts;
  for (const v1::StepSpec& step : spec_.steps()) scripts.push_back(step.script());
  std::optional<Coverage> coverage = FindCoverage(workspace, began, scripts, git_.has_value());
  if (!coverage) return;
  auto metric = [this](const std::string& name, double value) {
    v1::Event event;
    event.mutable_metric()->set_name(name);
    event.mutable_metric()->set_value(value);
    event.mutable_metric()->set_unit("%");
    EmitEvent(std::move(event));
  };
  metric("coverage_line_percent", coverage->line_percent);
  if (coverage->branch_percent) metric("coverage_branch_percent", *coverage->branch_percent);
}

void AttemptRunner::ReportTests(const std::vector<ParsedSummary>& summaries, const std::string& workspace,
                                const v1::StepSpec& step, common::WallTime step_begin) {
  size_t from_reports = 0;
  // Reports are looked for only after steps that ask a runner for XML (--junitxml,
  // --gtest_output=xml, --output-junit, ...): walking a big workspace after every step
  // would cost more than the steps themselves.
  if (step.script().find("xml") != std::string::npos || step.script().find("junit") != std::string::npos) {
    for (const ParsedTest& test : junit_.Collect(workspace, step.script(), step_begin, git_.has_value())) {
      ++from_reports;
      if (tests_.Admit(test)) EmitEvent(TestEvent(test, TestKindOf(step.heading(), step.script())));
    }
  }
  for (const ParsedSummary& summary : summaries) {
    size_t counted = static_cast<size_t>(summary.passed + summary.failed + summary.skipped);
    if (from_reports >= counted && counted > 0) continue;  // the report named those tests
    EmitEvent(SummaryEvent(summary, TestKindOf(step.heading(), step.script())));
  }
}

}  // namespace wsfleet::worker
