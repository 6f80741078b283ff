#include "coordinator/scheduler.h"

#include <algorithm>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "absl/strings/escaping.h"
#include "common/plan_loader.h"
#include "coordinator/plan_codec.h"

namespace wsfleet::coordinator {

namespace {

int64_t WallMillis(const common::Clock& clock) { return common::ToUnixMillis(clock.WallNow()); }

}  // namespace

Scheduler::Scheduler(common::Clock& clock, StateStore& store, SchedulerOutput& output,
                     const PlacementPolicy& placement, SchedulerOptions options)
    : clock_(clock),
      store_(store),
      held_output_(output, store),
      output_(held_output_),
      options_(std::move(options)),
      random_(options_.random_seed),
      workers_(clock, options_.lease, [this](WorkerView& worker) { LeaseExpired(worker); }),
      intake_([this](const std::string& worker, const v1::Event& event) { return Fence(worker, event); }),
      shared_{clock, store, held_output_, placement, options_, random_, workers_, &no_observer_, [this] { Dispatch(); }, {}},
      log_limiter_(clock, std::chrono::minutes(1)) {}

Scheduler::~Scheduler() {
  // The timer must not outlive the scheduler its callback points into.
  if (store_retry_timer_ != 0) clock_.CancelTimer(store_retry_timer_);
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::Submit(const std::vector<common::SourceFile>& files,
                                                          const std::string& name, bool keep_going,
                                                          PlanLimits limits) {
  return SubmitParsed(common::AssemblePlan(files), name, keep_going, {}, limits);
}

absl::StatusOr<Scheduler::SubmitResult> Scheduler::SubmitParsed(common::Plan parsed, const std::string& name,
                                                                bool keep_going, std::vector<std::string> encoded,
                                                                PlanLimits limits) {
  if (!(limits.share > 0)) return absl::InvalidArgumentError("a plan's share must be above 0");
  auto plan = std::make_unique<common::Plan>(std::move(parsed));
  SubmitResult result;
  result.diagnostics = plan->diagnostics;
  if (!plan->ok()) return result;
  if (plan->workstreams.empty()) {
    return absl::InvalidArgumentError("the plan holds no workstream cards");
  }
  // Plans that ended make way: a coordinator holds what runs, and the last plan to end.
  std::vector<std::string> retire;
  for (const auto& held : plans_) {
    if (held->Done()) retire.push_back(held->plan_row().plan_id);
  }
  // What is stored is what was parsed: the texts, and the workstreams recovery rebuilds
  // the plan from without parsing them again.
  PlanRow row{random_.NewId(name.empty() ? "plan" : name),
              name,
              keep_going,
              WallMillis(clock_),
              std::move(plan->sources),  // stored, then handed back to the plan (PlanScheduler::Store)
              encoded.empty() ? EncodeWorkstreams(plan->workstreams) : std::move(encoded),
              limits};
  auto scheduler = std::make_unique<PlanScheduler>(shared_, limits);
  if (absl::Status status = scheduler->Store(std::move(plan), std::move(row), retire); !status.ok()) return status;
  for (auto it = plans_.begin(); it != plans_.end();) {
    if (std::find(retire.begin(), retire.end(), (*it)->plan_row().plan_id) == retire.end()) {
      ++it;
      continue;
    }
    attempts_started_retired_ += (*it)->counters().attempts_started;
    // Kept a while for what is still to be written of it (its report, if its end was
    // published in this very turn of the loop); only the last few.
    retired_.push_back(std::move(*it));
    if (retired_.size() > kRetiredKept) retired_.pop_front();
    it = plans_.erase(it);
  }
  result.plan_id = scheduler->plan_row().plan_id;
  plans_.push_back(std::move(scheduler));
  plans_.back()->Begin();
  return result;
}

absl::Status Scheduler::Recover() {
  absl::StatusOr<StoredState> stored = store_.Load();
  if (!stored.ok()) return stored.status();
  for (StoredPlan& held : stored->plans) {
    auto scheduler = std::make_unique<PlanScheduler>(shared_, held.plan.limits);
    if (absl::Status status = scheduler->Recover(std::move(held)); !status.ok()) return status;
    plans_.push_back(std::move(scheduler));
  }
  return absl::OkStatus();
}

std::vector<const PlanScheduler*> Scheduler::plans() const {
  std::vector<const PlanScheduler*> all;
  for (const auto& plan : plans_) all.push_back(plan.get());
  return all;
}

PlanScheduler* Scheduler::Plan(const std::string& plan_id) {
  for (const auto& plan : plans_) {
    if (plan->plan_row().plan_id == plan_id) return plan.get();
  }
  return nullptr;
}

const PlanScheduler* Scheduler::Plan(const std::string& plan_id) const {
  return const_cast<Scheduler*>(this)->Plan(plan_id);
}

const PlanScheduler* Scheduler::HeldOrRetired(const std::string& plan_id) const {
  if (const PlanScheduler* held = Plan(plan_id)) return held;
  for (const auto& plan : retired_) {
    if (plan->plan_row().plan_id == plan_id) return plan.get();
  }
  return nullptr;
}

absl::StatusOr<PlanScheduler*> Scheduler::Select(const std::string& plan_id) {
  auto names = [&] {
    std::string list;
    for (const auto& plan : plans_) {
      list += (list.empty() ? "" : ", ") + plan->plan_row().plan_id + (plan->Done() ? " (ended)" : " (running)");
    }
    return list;
  };
  if (!plan_id.empty()) {
    if (PlanScheduler* plan = Plan(plan_id)) return plan;
    return absl::NotFoundError("no plan " + plan_id + " here" +
                               (plans_.empty() ? "; none has been submitted" : "; the plans are " + names()));
  }
  if (plans_.empty()) return absl::FailedPreconditionError("no plan has been submitted");
  if (plans_.size() == 1) return plans_.front().get();
  std::vector<PlanScheduler*> running;
  for (const auto& plan : plans_) {
    if (!plan->Done()) running.push_back(plan.get());
  }
  if (running.size() == 1) return running.front();
  return absl::InvalidArgumentError("several plans are held here (" + names() + "): name one with --plan");
}

absl::StatusOr<const PlanScheduler*> Scheduler::Select(const std::string& plan_id) const {
  absl::StatusOr<PlanScheduler*> plan = const_cast<Scheduler*>(this)->Select(plan_id);
  if (!plan.ok()) return plan.status();
  return *plan;
}

PlanScheduler* Scheduler::OwnerOf(const std::string& attempt_id) {
  for (const auto& plan : plans_) {
    if (plan->Owns(attempt_id)) return plan.get();
  }
  return nullptr;
}

void Scheduler::Dispatch() {
  Round();
  for (const auto& plan : plans_) plan->dispatcher().Commit();
}

FleetSize Scheduler::SizeOfFleet() const {
  // What the fair share divides by changes with the fleet's make-up, not with each placement.
  if (fleet_size_makeup_ != workers_.cluster().makeup()) {
    fleet_size_ = {};
    for (const auto& [id, worker] : workers_.cluster().workers()) {
      if (worker.lost) continue;
      fleet_size_.slots += worker.slots;
      fleet_size_.gpus += static_cast<uint32_t>(worker.gpu_indices.size());
    }
    fleet_size_makeup_ = workers_.cluster().makeup();
  }
  return fleet_size_;
}

void Scheduler::Round() {
  std::vector<PlanScheduler*> open;
  for (const auto& plan : plans_) {
    if (plan->Wants()) open.push_back(plan.get());
  }
  if (open.size() <= 1) {
    // One plan (or none) wants room: its round as it always ran, and the others' timers.
    for (const auto& plan : plans_) plan->dispatcher().Round();
    return;
  }
  for (const auto& plan : plans_) plan->dispatcher().BeginRound();
  FleetSize fleet = SizeOfFleet();
  while (!open.empty()) {
    std::vector<ShareStanding> standings;
    for (const PlanScheduler* plan : open) {
      const PlanShare& share = plan->share();
      standings.push_back({share.limits().share, share.slots(), share.gpus(), share.slot_seconds()});
    }
    size_t next = NextByShare(standings, fleet);
    // A plan that can place nothing more in this round (no room it can use, its quotas)
    // sits out the rest of it.
    if (open[next]->dispatcher().Step(1) == 0) open.erase(open.begin() + static_cast<std::ptrdiff_t>(next));
  }
  for (const auto& plan : plans_) plan->dispatcher().EndRound();  // revokes, timers
}

void Scheduler::OnWorkerHello(const v1::Hello& hello) {
  // Only a worker given the coordinator's log token shares its machine and state directory.
  bool writes_logs = !options_.local_log_token.empty() && !options_.state_dir.empty() &&
                     hello.log_token() == options_.local_log_token;
  WorkerView& worker = workers_.Join(hello, writes_logs);

  v1::CoordinatorMessage message;
  v1::Welcome& welcome = *message.mutable_welcome();
  welcome.set_heartbeat_interval_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.heartbeat_interval).count());
  welcome.set_lease_ms(std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease).count());
  std::set<std::string> reported;
  std::vector<v1::CoordinatorMessage> after_welcome;
  for (const v1::RunningAttempt& running : hello.attempts()) {
    reported.insert(running.attempt_id());
    PlanScheduler* plan = OwnerOf(running.attempt_id());
    if (plan != nullptr && plan->Reattach(worker, running, after_welcome)) {
      welcome.add_adopted_attempt_ids(running.attempt_id());
    } else {
      welcome.add_cancelled_attempt_ids(running.attempt_id());
    }
  }
  // Attempts placed here that the worker no longer knows: it restarted and lost them.
  std::vector<std::string> forgotten;
  for (const std::string& attempt : worker.attempts) {
    if (!reported.count(attempt)) forgotten.push_back(attempt);
  }
  output_.Send(worker.id, message);
  for (const v1::CoordinatorMessage& next : after_welcome) output_.Send(worker.id, next);
  for (const std::string& attempt : forgotten) {
    AttemptLost(attempt, "worker " + worker.id + " restarted without it");
  }
  // Its row, what it lost and the work placed on it are stored at the end of this turn of
  // the loop (FlushEvents), with every other worker that joined in it: a fleet that joins
  // at once costs a commit or two per turn, not per worker.
  joined_.push_back({worker.id, worker.hostname, "connected", worker.last_heartbeat_unix_ms()});
  StatusChangedForAll();
}

void Scheduler::OnHeartbeat(const std::string& worker_id, const v1::Heartbeat& heartbeat) {
  v1::CoordinatorMessage reply;
  if (workers_.Alive(worker_id, /*heartbeat=*/true)) {
    // The worker's steps may run a lease from when it sent this; past that, it stops them.
    reply.mutable_lease()->set_heartbeat_sent_ms(heartbeat.sent_ms());
    reply.mutable_lease()->set_lease_ms(std::chrono::duration_cast<std::chrono::milliseconds>(workers_.lease()).count());
  } else {
    // Declared lost while its session stayed open: not ignored, told. Its Hello will
    // take it back; its attempts are already running elsewhere.
    reply.mutable_rejoin()->set_reason("declared lost: no heartbeat within its lease");
  }
  output_.Send(worker_id, reply);
}

void Scheduler::OnWorkerDisconnected(const std::string& worker_id) {
  workers_.Disconnected(worker_id);
  StatusChangedForAll();
}

void Scheduler::OnWorkerLeaving(const std::string& worker_id, const std::string& reason) {
  if (!workers_.Drain(worker_id).ok()) return;
  spdlog::info("worker {} is leaving ({}): nothing more is placed on it", worker_id,
               reason.empty() ? "no reason given" : absl::CHexEscape(reason));
  StatusChangedForAll();
}

void Scheduler::OnWorkerRefused(const std::string& worker_id, const std::string& reason) {
  ++workers_refused_;
  uint64_t held = 0;
  if (log_limiter_.Allow("refused " + worker_id, &held)) {
    spdlog::warn("refused worker '{}': {}{}", worker_id, reason,
                 held > 0 ? " (" + std::to_string(held) + " more refusals since the last line)" : "");
  }
}

void Scheduler::OnInvalidHello(const std::string& reason) {
  ++hellos_invalid_;
  uint64_t held = 0;
  if (log_limiter_.Allow("invalid hello", &held)) {
    spdlog::warn("refused a Hello: {}{}", reason,
                 held > 0 ? " (" + std::to_string(held) + " more since the last line)" : "");
  }
}

void Scheduler::AttemptLost(const std::string& attempt_id, const std::string& reason) {
  if (PlanScheduler* plan = OwnerOf(attempt_id)) plan->AttemptLost(attempt_id, reason);
}

void Scheduler::LeaseExpired(WorkerView& worker) {
  ++leases_expired_;
  spdlog::warn("worker {} missed its lease; its {} attempt(s) are lost", worker.id, worker.attempts.size());
  std::vector<std::string> attempts(worker.attempts.begin(), worker.attempts.end());
  for (const std::string& attempt : attempts) {
    AttemptLost(attempt, "worker " + worker.id + " missed its lease");
  }
  auto [rows, attempt_rows] = TakeDirty();
  if (absl::Status status = store_.MarkWorkerLost(
          {worker.id, worker.hostname, "lost", worker.last_heartbeat_unix_ms()}, attempt_rows, rows);
      !status.ok()) {
    StoreFailed(status);
  }
  SendRelays();  // a merge turn the lost attempt held goes to the next
  Dispatch();
  StatusChangedForAll();
}

void Scheduler::OnEvents(const std::string& worker_id, v1::EventBatch batch) {
  workers_.Alive(worker_id, /*heartbeat=*/false);  // any message proves the worker alive
  intake_.Queue(worker_id, std::move(batch));
}

AttemptRow* Scheduler::Fence(const std::string& worker_id, const v1::Event& event) {
  PlanScheduler* plan = OwnerOf(event.attempt_id());
  return plan == nullptr ? nullptr : plan->Fence(worker_id, event);
}

std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> Scheduler::TakeDirty() {
  std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> all;
  for (const auto& plan : plans_) {
    auto [rows, attempts] = plan->TakeDirty();
    if (all.first.empty()) {
      all.first = std::move(rows);
    } else {
      all.first.insert(all.first.end(), std::make_move_iterator(rows.begin()), std::make_move_iterator(rows.end()));
    }
    if (all.second.empty()) {
      all.second = std::move(attempts);
    } else {
      all.second.insert(all.second.end(), std::make_move_iterator(attempts.begin()),
                        std::make_move_iterator(attempts.end()));
    }
  }
  return all;
}

void Scheduler::FlushEvents() {
  // While the store holds writes, no event is admitted: unacknowledged, they wait in the
  // workers' outboxes (whose send windows bound what arrives meanwhile).
  WatchHeldStore();
  if (store_.held() || (intake_.empty() && joined_.empty())) return;
  if (!joined_.empty()) {
    if (absl::Status status = store_.RecordWorkers(joined_); !status.ok()) StoreFailed(status);
  }
  bool joins = !std::exchange(joined_, {}).empty();
  std::vector<v1::Event> to_store;
  std::vector<std::pair<PlanScheduler*, std::pair<std::string, v1::AttemptFinished>>> finished;
  std::set<PlanScheduler*> touched;
  for (auto& [attempt, event] : intake_.Admit()) {
    PlanScheduler* plan = OwnerOf(attempt->attempt_id);  // Fence found it: it has one
    touched.insert(plan);
    plan->MarkDirty(attempt->attempt_id);
    shared_.observer->EventStored(plan->plan_row().name, attempt->workstream_id, event);
    plan->Apply(*attempt, event);
    if (event.has_finished()) finished.push_back({plan, {attempt->attempt_id, event.finished()}});
    to_store.push_back(std::move(event));
  }
  for (auto& [plan, outcome] : finished) plan->AttemptFinished(outcome.first, outcome.second);
  // What the finishes made ready is placed now and committed with the events: one
  // transaction per batch, however many workstreams (of however many plans) it ends and
  // starts.
  if (!finished.empty() || joins) Round();
  for (const auto& plan : plans_) plan->dispatcher().MarkPlacedDirty();
  auto [rows, attempt_rows] = TakeDirty();
  if (!to_store.empty() || !rows.empty()) {
    if (absl::Status status = store_.RecordEvents(to_store, attempt_rows, rows); !status.ok()) {
      StoreFailed(status);
    }
  }
  intake_.Answer(output_, [this](const std::string& worker, const std::string& attempt, const std::string& why) {
    uint64_t held = 0;
    if (log_limiter_.Allow("fenced " + worker, &held)) {
      spdlog::warn("rejected events from worker {} for attempt {}: {}{}", worker, attempt, why,
                   held > 0 ? " (and " + std::to_string(held) + " more since the last line)" : "");
    }
  });  // only now, with everything stored
  for (const auto& plan : plans_) plan->dispatcher().SendPlaced();
  SendRelays();
  WatchHeldStore();
  for (const auto& plan : plans_) {
    if (touched.count(plan.get()) || !finished.empty() || joins) output_.StatusChanged(*plan);
  }
}

void Scheduler::SendRelays() {
  for (const auto& plan : plans_) plan->SendRelays();
}

void Scheduler::StatusChangedForAll() {
  // With no plan yet, watchers still hear of the fleet (`wsfleet run` waits for its workers).
  if (plans_.empty()) output_.StatusChanged(*this);
  for (const auto& plan : plans_) output_.StatusChanged(*plan);
}

void Scheduler::WatchHeldStore() {
  if (store_retry_timer_ != 0 || !store_.held()) return;
  store_retry_timer_ = clock_.RunAfter(std::chrono::seconds(1), [this] { RetryHeldStore(); });
}

void Scheduler::RetryHeldStore() {
  store_retry_timer_ = 0;
  if (!store_.RetryHeld()) {
    WatchHeldStore();
    return;
  }
  held_output_.Release();
  FlushEvents();
  Dispatch();
  SendRelays();
  StatusChangedForAll();
}

absl::Status Scheduler::Drain(const std::string& worker_id) {
  if (absl::Status status = workers_.Drain(worker_id); !status.ok()) return status;
  v1::CoordinatorMessage message;
  message.mutable_drain();
  output_.Send(worker_id, message);
  StatusChangedForAll();
  return absl::OkStatus();
}

int Scheduler::Cancel(const std::string& workstream_id, bool all, std::string* error) {
  if (latest() == nullptr) {
    if (error) *error = "no plan has been submitted";
    return 0;
  }
  return latest()->Cancel(workstream_id, all, error);
}

absl::Status Scheduler::Retry(const std::string& workstream_id) {
  if (latest() == nullptr) return absl::FailedPreconditionError("no plan has been submitted");
  return latest()->Retry(workstream_id);
}

absl::StatusOr<int> Scheduler::Rerun(const RerunSelection& selection) {
  if (latest() == nullptr) return absl::FailedPreconditionError("no plan has been submitted");
  return latest()->Rerun(selection);
}

absl::StatusOr<Scheduler::Revision> Scheduler::Revise(common::Plan plan, bool keep_changed) {
  if (latest() == nullptr) return absl::FailedPreconditionError("no plan has been submitted");
  return latest()->Revise(std::move(plan), keep_changed);
}

v1::RunStatus Scheduler::Status() const {
  if (latest() != nullptr) return latest()->Status();
  v1::RunStatus status = CoordinatorStatus(options_, store_);
  status.set_done(true);
  return status;
}

SchedulerCounters Scheduler::counters() const {
  SchedulerCounters counters;
  counters.leases_expired = leases_expired_;
  counters.attempts_started = attempts_started_retired_;
  for (const auto& plan : plans_) counters.attempts_started += plan->counters().attempts_started;
  counters.events_stored = intake_.counters().admitted;
  counters.events_duplicate = intake_.counters().duplicate;
  counters.events_stale_rejected = intake_.counters().rejected;
  counters.events_invalid = intake_.counters().invalid;
  counters.hellos_invalid = hellos_invalid_;
  counters.workers_refused = workers_refused_;
  counters.store_write_failures = store_.failed_writes();
  std::optional<StateStore::Hold> hold = store_.held();
  counters.store_held_writes = hold ? hold->writes : 0;
  return counters;
}

size_t Scheduler::merge_queue_length() const {
  size_t length = 0;
  for (const auto& plan : plans_) length += plan->merge_queue_length();
  return length;
}

const v1::AgentReport& Scheduler::plan_spent() const {
  static const v1::AgentReport kNothing;
  return latest() ? latest()->plan_spent() : kNothing;
}

void Scheduler::SetLauncherView(const launcher::LauncherView& view) {
  shared_.launch_notes = launcher::NotesByShape(view);
  launched_jobs_ = view.jobs;
}

v1::ListWorkersResponse Scheduler::Workers() const {
  v1::ListWorkersResponse response = workers_.List();
  for (const launcher::LaunchedJob& job : launched_jobs_) {
    v1::LaunchedJob& out = *response.add_jobs();
    out.set_job_id(job.id);
    out.set_state(job.engine_state);
    out.set_reason(job.reason);
    out.set_shape(job.submitted_unix_ms == 0 ? "asked for by an earlier coordinator" : job.shape.Describe());
    out.set_submitted_unix_ms(job.submitted_unix_ms);
  }
  return response;
}

std::vector<launcher::Demand> Scheduler::WorkerDemand() const {
  std::map<std::string, launcher::Demand> by_shape;
  common::SteadyTime now = clock_.Now();
  for (const auto& plan : plans_) {
    if (!plan->Done()) plan->AddWorkerDemand(by_shape, now);
  }
  std::vector<launcher::Demand> demand;
  for (auto& [key, shape_demand] : by_shape) demand.push_back(std::move(shape_demand));
  // Gangs and GPU work first: the largest jobs wait longest in a busy queue.
  std::stable_sort(demand.begin(), demand.end(), [](const launcher::Demand& a, const launcher::Demand& b) {
    return std::make_pair(a.shape.nodes, a.shape.gpus) > std::make_pair(b.shape.nodes, b.shape.gpus);
  });
  return demand;
}

std::map<std::string, int> Scheduler::ConnectedWorkersBy(const std::string& label) const {
  std::map<std::string, int> count;
  for (const auto& [id, worker] : workers_.cluster().workers()) {
    if (!worker.connected || worker.lost) continue;
    auto value = worker.labels.find(label);
    if (value != worker.labels.end()) ++count[value->second];
  }
  return count;
}

bool Scheduler::AllPlansDone() const {
  for (const auto& plan : plans_) {
    if (!plan->Done()) return false;
  }
  return true;
}

}  // namespace wsfleet::coordinator
