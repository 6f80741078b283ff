#include "coordinator/dispatcher.h"

#include <algorithm>
#include <map>
#include <set>

#include "coordinator/agent_spend.h"
#include "coordinator/attempt_spec.h"
#include "coordinator/prompt.h"
#include "coordinator/state_paths.h"
#include "coordinator/summary_render.h"
#include "launcher/launcher.h"

namespace wsfleet::coordinator {
namespace {

void Earliest(std::optional<common::SteadyTime>& earliest, common::SteadyTime when) {
  earliest = earliest ? std::min(*earliest, when) : when;
}

PlacementRequest RequestFor(const common::Workstream& ws, uint32_t queue_room = 0) {
  // A card's agent runs only where its CLI is: the worker advertises agent.<type>.
  std::set<std::string> keys;
  if (!ws.agent_type.empty() && ws.agent_type != "shell") keys.insert("agent." + ws.agent_type);
  std::vector<common::EnvironmentNeed> environment;
  for (const common::EnvironmentNeed& need : ws.environment) {
    if (need.kind != common::EnvironmentNeed::Kind::kHint) environment.push_back(need);
  }
  return {static_cast<uint32_t>(ws.gpus), ws.labels, std::move(keys), {}, queue_room, std::move(environment), {}, {}, {}};
}

// What a request asks of a worker, as one string: requests with the same key get the same
// answers from the fleet (wait reasons, infeasibility).
std::string RequestKey(const PlacementRequest& request) {
  std::string key = std::to_string(request.gpus);
  for (const auto& [name, value] : request.labels) key += "\n" + name + "=" + value;
  for (const std::string& name : request.label_keys) key += "\n" + name;
  for (const common::EnvironmentNeed& need : request.environment) key += "\n" + common::Describe(need);
  if (!request.shape_key.empty()) key += "\nshape=" + request.shape_key;
  return key;
}

}  // namespace

Dispatcher::Dispatcher(common::Clock& clock, StateStore& store, SchedulerOutput& output,
                       const PlacementPolicy& placement, ClusterView& cluster,
                       const SchedulerOptions& options, PlanRun& run, RandomSource& random,
                       const RunReader& reader, FailFn fail, WakeFn wake)
    : clock_(clock),
      store_(store),
      output_(output),
      placement_(placement),
      cluster_(cluster),
      options_(options),
      run_(run),
      random_(random),
      reader_(reader),
      fail_(std::move(fail)),
      wake_(std::move(wake)) {}

Dispatcher::~Dispatcher() {
  // The timer must not outlive the dispatcher its callback points into.
  if (timer_ != 0) clock_.CancelTimer(timer_);
}

void Dispatcher::Dispatch() {
  Round();
  Commit();
}

void Dispatcher::Commit() {
  StorePlaced();
  if (run_.CommitDirty(store_)) output_.StatusChanged(reader_);
}

void Dispatcher::Round() {
  BeginRound();
  Step(std::numeric_limits<int>::max());
  EndRound();
}

void Dispatcher::BeginRound() {
  // Nothing is placed while the store holds writes (a full disk): see HoldingStateStore.
  round_ = RoundState{};
  round_.active = run_.has_plan() && !run_.halted && !store_.held();
  round_.now = clock_.Now();
  // Parked work is looked at again once the fleet has changed (it may fit now) or its
  // grace has run out for one of it (it fails then).
  if (run_.ready.parked() > 0 &&
      (parked_makeup_ != cluster_.makeup() || (parked_due_ && round_.now >= *parked_due_))) {
    run_.ready.UnparkAll();
    parked_due_.reset();
  }
  // Queueing on busy workers stops once ready work that needs a free slot is left waiting:
  // a worker starts what it holds queued before anything the coordinator sends later.
  round_.may_queue = options_.worker_queue > 0;
}

int Dispatcher::Step(int limit) {
  if (!round_.active || round_.finished || run_.halted || store_.held()) return 0;
  int placed = 0;
  while (placed < limit) {
    std::vector<ReadyQueue::Key> page = run_.ready.Page(round_.after, 256);
    if (page.empty()) {
      round_.finished = true;
      break;
    }
    for (const ReadyQueue::Key& key : page) {
      if (placed >= limit) return placed;
      if (run_.ready.Contains(key.index)) {  // else placed or ended since the page was read
        // No worker has room: nothing further down can be placed either, and what waits
        // there is looked at again when a slot frees (every attempt's end dispatches).
        if (!cluster_.AnyRoom(round_.may_queue ? options_.worker_queue : 0)) {
          round_.finished = true;
          return placed;
        }
        if (Consider(key.index, round_.now, round_.earliest, round_.may_queue)) ++placed;
      }
      // Within a round the fleet only fills: what was passed over stays unplaceable, and
      // the next step goes on from here.
      round_.after = key;
    }
  }
  return placed;
}

void Dispatcher::EndRound() {
  if (!round_.active) return;
  round_.active = false;
  RevokeQueued(round_.now, round_.earliest);
  if (parked_due_) Earliest(round_.earliest, *parked_due_);  // parked work is not walked
  if (timer_ != 0) clock_.CancelTimer(timer_);
  timer_ = 0;
  if (round_.earliest) {
    timer_ = clock_.RunAfter(*round_.earliest - round_.now, [this] {
      timer_ = 0;
      if (wake_) {
        wake_();
      } else {
        Dispatch();
      }
    });
  }
}

bool Dispatcher::Consider(int index, common::SteadyTime now, std::optional<common::SteadyTime>& earliest,
                          bool& may_queue) {
  WorkstreamRun& run = run_.runs[index];
  if (run.not_before > now) {
    Earliest(earliest, run.not_before);
    return false;
  }
  // Cleared when it only waits for room: status says for what (WhyWaiting), which changes
  // with every round.
  run.waiting.clear();
  std::optional<std::string> infeasible = Infeasible(index);
  if (!infeasible && share_ != nullptr) infeasible = share_->BeyondQuota(run_.card(index).gpus, run_.card(index).nodes);
  if (infeasible) {
    if (!run.infeasible_since) run.infeasible_since = now;
    common::SteadyTime deadline = *run.infeasible_since + options_.infeasible_grace;
    if (options_.workers_on_demand) {
      // The launcher asks for a worker that can (its job's progress is in the wait reason).
      run.waiting = "waiting for a worker from the launcher: " + *infeasible;
      if (run_.ready.parked() == 0) parked_makeup_ = cluster_.makeup();
      if (parked_makeup_ == cluster_.makeup()) run_.ready.Park(index);
      return false;
    }
    if (now >= deadline) {
      fail_(index, "cannot be placed: " + *infeasible);
    } else {
      run.waiting = "no worker can run it yet: " + *infeasible;
      Earliest(earliest, deadline);
      // Out of the rounds until the fleet changes or its grace ends: every attempt's end
      // starts a round, and each walked all such work again (100,000 ready, a quarter of it
      // unplaceable: 4 ms a round; docs/benchmarks.md).
      if (run_.ready.parked() == 0) parked_makeup_ = cluster_.makeup();
      if (parked_makeup_ == cluster_.makeup()) {
        run_.ready.Park(index);
        Earliest(parked_due_, deadline);
      }
    }
    return false;
  }
  run.infeasible_since.reset();
  bool queueable = Queueable(index);
  if (TryAssign(index, may_queue && queueable)) return true;
  if (!queueable) may_queue = false;
  if (run_.card(index).nodes <= 1) return false;
  if (options_.workers_on_demand) {
    // The launcher asks for the gang's nodes in one job: the gang waits on the engine (its
    // job's state is in the wait reason), which may hold the job for hours, not on a timeout
    // meant for a fleet whose workers are all there.
    if (run.waiting.empty()) run.waiting = GangWaiting(index);
    return false;
  }
  if (!run.gang_waiting_since) run.gang_waiting_since = now;
  common::SteadyTime deadline = *run.gang_waiting_since + options_.gang_timeout;
  if (now >= deadline) {
    fail_(index, "not placed within the gang timeout (" +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options_.gang_timeout).count()) +
                     " s): " + GangWaiting(index));
  } else {
    if (run.waiting.empty()) run.waiting = GangWaiting(index);
    Earliest(earliest, deadline);
  }
  return false;
}

PlacementRequest Dispatcher::Request(const common::Workstream& ws, uint32_t queue_room) const {
  PlacementRequest request = RequestFor(ws, queue_room);
  if (options_.workers_on_demand) {
    request.shape_key = launcher::ShapeOf(ws).Key();
    // A launcher asks for a gang's nodes in one job: its ranks go to that job's workers.
    if (ws.nodes > 1) request.same_label = launcher::kSlurmJobLabel;
  }
  return request;
}

std::optional<std::string> Dispatcher::Infeasible(int index) const {
  const common::Workstream& ws = run_.card(index);
  PlacementRequest request = Request(ws);
  // The answer changes only with the fleet's make-up: worked out once per kind of request
  // until then (it walks every worker).
  if (infeasible_makeup_ != cluster_.makeup()) {
    infeasible_.clear();
    infeasible_makeup_ = cluster_.makeup();
  }
  auto [found, inserted] = infeasible_.try_emplace(RequestKey(request) + "\nnodes=" + std::to_string(ws.nodes));
  if (inserted) {
    found->second = ws.nodes > 1 ? cluster_.WhyGangInfeasible(request, ws.nodes) : cluster_.WhyInfeasible(request);
  }
  return found->second;
}

std::string Dispatcher::WhyWaiting(int index, std::map<std::string, std::string>* memo) const {
  PlacementRequest request = Request(run_.card(index));
  if (memo == nullptr) return cluster_.WhyWaiting(request);
  auto [found, inserted] = memo->try_emplace(RequestKey(request));
  if (inserted) found->second = cluster_.WhyWaiting(request);
  return found->second;
}

std::string Dispatcher::GangWaiting(int index) const {
  const common::Workstream& ws = run_.card(index);
  int free = std::min(cluster_.CountPlaceable(Request(ws)), ws.nodes);
  std::string what = ws.gpus == 0   ? "a free slot"
                     : ws.gpus == 1 ? "a free GPU"
                                    : std::to_string(ws.gpus) + " free GPUs";
  return "waiting: " + std::to_string(free) + " of " + std::to_string(ws.nodes) + " nodes " +
         (free == 1 ? "has " : "have ") + what;
}

bool Dispatcher::Queueable(int index) const {
  const common::Workstream& ws = run_.card(index);
  return ws.gpus == 0 && ws.nodes <= 1 && ws.agent_type.empty();
}

std::optional<std::vector<Placement>> Dispatcher::PlaceWithinQuota(int index, bool may_queue, std::string& why) {
  const common::Workstream& ws = run_.card(index);
  int nodes = std::max(1, ws.nodes);
  PlacementRequest request = Request(ws, may_queue ? options_.worker_queue : 0);
  if (share_ == nullptr) return placement_.PlaceGang(request, nodes, cluster_);
  size_t gpus = static_cast<size_t>(ws.gpus) * static_cast<size_t>(nodes);
  if (std::optional<std::string> over = share_->OverQuota(gpus, 0)) {
    why = "waiting: " + *over;
    return std::nullopt;
  }
  std::optional<std::vector<Placement>> gang = placement_.PlaceGang(request, nodes, cluster_);
  if (!gang) return gang;
  std::set<std::string> new_workers;
  for (const Placement& placement : *gang) {
    if (!share_->HoldsWorker(placement.worker_id)) new_workers.insert(placement.worker_id);
  }
  if (!share_->OverQuota(0, new_workers.size())) return gang;
  // At its workers' limit: only where it runs already.
  request.only_workers = share_->Workers();
  gang = request.only_workers.empty() ? std::nullopt : placement_.PlaceGang(request, nodes, cluster_);
  if (!gang) why = "waiting: " + *share_->OverQuota(0, new_workers.size());
  return gang;
}

bool Dispatcher::TryAssign(int index, bool may_queue) {
  const common::Workstream& ws = run_.card(index);
  int nodes = std::max(1, ws.nodes);
  std::string over_quota;
  std::optional<std::vector<Placement>> gang = PlaceWithinQuota(index, may_queue, over_quota);
  if (!over_quota.empty()) run_.runs[index].waiting = over_quota;
  if (!gang) return false;
  const std::vector<Placement>& placements = *gang;
  WorkstreamRun& run = run_.runs[index];
  RetryContext retry = RetryContextOf(index);  // before this attempt replaces the last
  int number = run.row.attempts + 1;
  std::vector<AttemptRow> ranks;
  std::vector<std::string> node_addrs;
  std::string workers;
  for (int rank = 0; rank < nodes; ++rank) {
    AttemptRow attempt;
    attempt.plan_id = run_.row.plan_id;
    attempt.workstream_id = ws.id.ToString();
    attempt.number = number;
    attempt.rank = rank;
    attempt.attempt_id = random_.NewId(attempt.workstream_id + "-a" + std::to_string(number) +
                                       (rank > 0 ? "r" + std::to_string(rank) : ""));
    if (rank > 0) attempt.gang = ranks[0].attempt_id;
    attempt.worker_id = placements[rank].worker_id;
    attempt.gpus = placements[rank].gpu_indices;
    attempt.started_unix_ms = common::ToUnixMillis(clock_.WallNow());
    const WorkerView* worker = cluster_.Find(attempt.worker_id);
    node_addrs.push_back(worker != nullptr && !worker->hostname.empty() ? worker->hostname
                                                                        : attempt.worker_id);
    workers += (workers.empty() ? "" : ",") + attempt.worker_id;
    ranks.push_back(std::move(attempt));
  }
  run.row.attempts = number;
  run_.SetState(index, v1::WORKSTREAM_STATE_ASSIGNED);
  run.row.current_attempt = ranks[0].attempt_id;
  run.row.worker_id = workers;
  run.row.message.clear();
  run.waiting.clear();
  run.cancel_requested = false;
  run.gang_waiting_since.reset();
  run.gang.clear();
  run.gang_break.reset();
  run.ClearFacts();
  run_.ready.Remove(index);
  run_.MarkClean(index);
  run_.Unqueue(index);
  if (const WorkerView* worker = cluster_.Find(ranks[0].worker_id); nodes == 1 && worker->room() <= 0) {
    run.queued_since = clock_.Now();
    run_.queued.insert(index);
  }
  for (const AttemptRow& attempt : ranks) {
    cluster_.Reserve(attempt.worker_id, attempt.gpus, attempt.attempt_id);
    if (share_ != nullptr) share_->Hold(attempt.attempt_id, attempt.worker_id, attempt.gpus.size());
    placed_.push_back(attempt.attempt_id);
    run.attempt_ids.push_back(attempt.attempt_id);
    run.gang.push_back(attempt.attempt_id);
    run_.attempts[attempt.attempt_id] = attempt;
    ++attempts_started_;
    QueueAssign(index, attempt, node_addrs, retry);
  }
  return true;
}

Dispatcher::RetryContext Dispatcher::RetryContextOf(int index) const {
  const WorkstreamRun& run = run_.runs[index];
  RetryContext retry;
  if (run.row.attempts == 0) return retry;
  if (run.facts().agent && !run.facts().agent->session_id().empty()) {
    retry.resume_session = run.facts().agent->session_id();
    retry.resume_baseline = SumAgentReports(run.agent_reports, run.attempt_ids, retry.resume_session);
  }
  constexpr std::string_view kRetrying = "retrying after: ";
  std::string why = run.row.message;
  if (why.rfind(kRetrying, 0) == 0) why = why.substr(kRetrying.size());
  // The end of the previous attempt's output, as its worker sent it: what the agent needs
  // to see to fix it (a lost attempt's worker sent none).
  const std::string& tail = run.facts().failure_tail;
  retry.previous_failure = why + (tail.empty() ? "" : "\n\nThe end of its log:\n\n```\n" + tail + "\n```");
  return retry;
}

void Dispatcher::QueueAssign(int index, const AttemptRow& attempt,
                             const std::vector<std::string>& node_addrs, const RetryContext& retry) {
  const common::Workstream& ws = run_.card(index);
  PromptInputs prompt;
  if (!ws.agent_type.empty()) {
    for (int dependency : run_.plan->graph.dependencies[index]) {
      std::string summary = RenderSummary(reader_.ViewOf(dependency), run_.row.plan_id);
      if (!summary.empty()) prompt.dependency_summaries.push_back(std::move(summary));
    }
    for (const common::Dependency& soft : ws.soft_dependencies) {
      std::optional<int> other = run_.plan->IndexOf(soft.id);
      if (!other) continue;  // outside the plan: the parser has said so
      PromptInputs::Soft& entry = prompt.soft.emplace_back();
      entry.id = soft.id.ToString();
      entry.name = run_.card(*other).name;
      if (run_.runs[*other].row.state == v1::WORKSTREAM_STATE_SUCCEEDED) {
        entry.summary = RenderSummary(reader_.ViewOf(*other), run_.row.plan_id);
      }
    }
  }
  AttemptSpecInputs inputs;
  inputs.plan_id = run_.row.plan_id;
  inputs.prompt = RenderPrompt(ws, run_.row.plan_id, prompt);
  inputs.node_addrs = node_addrs;
  inputs.resume_session = retry.resume_session;
  inputs.resume_baseline = retry.resume_baseline;
  inputs.previous_failure = retry.previous_failure;
  inputs.default_step_timeout_seconds = options_.default_step_timeout_seconds;
  inputs.write_back = options_.write_back;
  if (const WorkerView* worker = cluster_.Find(attempt.worker_id); worker != nullptr && worker->writes_logs) {
    PlanPaths paths = StatePaths{options_.state_dir}.Plan(run_.row.plan_id);
    inputs.log_path = paths.Log(attempt.workstream_id, attempt.attempt_id);
    inputs.transcript_path = paths.Transcript(attempt.workstream_id, attempt.attempt_id);
  }
  v1::CoordinatorMessage message;
  *message.mutable_assign()->mutable_attempt() = BuildAttemptSpec(ws, attempt, inputs);
  assigns_.emplace_back(attempt.worker_id, std::move(message));
}

void Dispatcher::StorePlaced() {
  if (assigns_.empty()) return;
  std::vector<AttemptRow> attempts;
  std::vector<WorkstreamRow> rows;
  for (const std::string& id : placed_) {
    const AttemptRow& attempt = run_.attempts.at(id);
    attempts.push_back(attempt);
    rows.push_back(run_.runs[run_.IndexOf(attempt)].row);
  }
  if (absl::Status status = store_.StartAttempts(attempts, rows); !status.ok()) StoreFailed(status);
  placed_.clear();
  SendPlaced();
  output_.StatusChanged(reader_);
}

void Dispatcher::MarkPlacedDirty() {
  for (const std::string& id : placed_) {
    run_.MarkDirty(id);
    run_.MarkDirty(run_.IndexOf(run_.attempts.at(id)));
  }
  placed_.clear();
}

void Dispatcher::SendPlaced() {
  for (auto& [worker, message] : assigns_) output_.Send(worker, message);
  assigns_.clear();
}

// Worker queues: a busy worker may hold a few assignments beyond its slots (cards without
// GPUs, agent or gang) and start them as its slots free, without a round trip to the
// coordinator in between. What waits in a queue while another worker sits free is taken
// back after revoke_after and placed again, so a queue never holds work up for long.
void Dispatcher::RevokeQueued(common::SteadyTime now, std::optional<common::SteadyTime>& earliest) {
  if (run_.queued.empty()) return;
  // Free slots left after this round: the ready queue had nothing those workers could run.
  std::map<std::string, int64_t> free;
  for (const auto& [negative_room, id] : cluster_.by_room()) {  // those with room come first
    if (-negative_room <= 0) break;
    const WorkerView* worker = cluster_.Find(id);
    if (worker != nullptr && worker->Accepting() && worker->room() > 0) free[id] = worker->room();
  }
  for (int index : run_.queued) {
    if (free.empty()) return;
    WorkstreamRun& run = run_.runs[index];
    if (run.revoking || run.gang.size() != 1) continue;
    const AttemptRow& attempt = run_.attempts.at(run.gang.front());
    const WorkerView* holder = cluster_.Find(attempt.worker_id);
    if (holder == nullptr || !holder->connected) continue;
    auto taker = std::find_if(free.begin(), free.end(), [&](const auto& entry) {
      return entry.first != attempt.worker_id &&
             LabelsMatch(Request(run_.card(index)), cluster_.Find(entry.first)->labels);
    });
    if (taker == free.end()) continue;
    common::SteadyTime due = *run.queued_since + options_.revoke_after;
    if (now < due) {
      Earliest(earliest, due);
      continue;
    }
    if (--taker->second == 0) free.erase(taker);
    SendRevoke(index);
  }
}

void Dispatcher::RevokeAllQueued() {
  for (int index : run_.queued) {
    if (!run_.runs[index].revoking && run_.runs[index].gang.size() == 1) SendRevoke(index);
  }
}

void Dispatcher::SendRevoke(int index) {
  WorkstreamRun& run = run_.runs[index];
  run.revoking = true;
  const AttemptRow& attempt = run_.attempts.at(run.gang.front());
  v1::CoordinatorMessage message;
  message.mutable_revoke()->set_attempt_id(attempt.attempt_id);
  output_.Send(attempt.worker_id, message);
}

}  // namespace wsfleet::coordinator
