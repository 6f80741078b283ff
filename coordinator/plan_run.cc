#include "coordinator/plan_run.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "common/log.h"
#include "coordinator/run_reader.h"

namespace wsfleet::coordinator {

const WorkstreamFacts& WorkstreamRun::NoFacts() {
  static const WorkstreamFacts none;
  return none;
}

void PlanRun::DropStoredText() {
  std::vector<common::SourceFile>().swap(row.files);
  std::vector<std::string>().swap(row.parsed);
}

void PlanRun::Adopt(std::unique_ptr<common::Plan> adopted, PlanRow adopted_row) {
  plan = std::move(adopted);
  row = std::move(adopted_row);
  runs.clear();
  runs.resize(plan->workstreams.size());
  Recount();
  attempts.clear();
  ready = ReadyQueue();
  halted = false;
  queued.clear();
  dirty_.clear();
  dirty_attempts_.clear();
  Index();
}

void PlanRun::Rebuild(std::unique_ptr<common::Plan> revised, std::vector<WorkstreamRun> revised_runs) {
  plan = std::move(revised);
  runs = std::move(revised_runs);
  Index();
  for (auto it = attempts.begin(); it != attempts.end();) {
    it = plan->IndexOf(it->second.workstream_id) ? std::next(it) : attempts.erase(it);
  }
  Recount();
  ready = ReadyQueue();
  queued.clear();
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].row.state == v1::WORKSTREAM_STATE_READY) ready.Add(KeyOf(static_cast<int>(i)));
  }
}

void PlanRun::Index() {
  soft_dependencies_.clear();
  soft_dependents_.clear();
  bool any = std::any_of(plan->workstreams.begin(), plan->workstreams.end(),
                         [](const common::Workstream& ws) { return !ws.soft_dependencies.empty(); });
  if (!any) return;  // two empty lists a workstream are 4.8 MB at 100,000
  soft_dependencies_.assign(plan->workstreams.size(), {});
  soft_dependents_.assign(plan->workstreams.size(), {});
  for (size_t i = 0; i < plan->workstreams.size(); ++i) {
    for (const common::Dependency& soft : plan->workstreams[i].soft_dependencies) {
      std::optional<int> found = plan->IndexOf(soft.id);
      if (!found || *found == static_cast<int>(i)) continue;
      soft_dependencies_[i].push_back(*found);
      soft_dependents_[*found].push_back(static_cast<int>(i));
    }
  }
}

bool PlanRun::IsCurrent(const AttemptRow& attempt) const {
  std::optional<int> found = plan->IndexOf(attempt.workstream_id);
  return found && runs[*found].row.current_attempt == attempt.GangId();
}

ReadyQueue::Key PlanRun::KeyOf(int index) const {
  const common::Workstream& ws = card(index);
  double remaining = plan->analysis.acyclic ? plan->analysis.remaining_days_max[index] : 0;
  return {ws.priority.value_or(10), remaining, ws.id.number(), index, SoftWaiting(index)};
}

bool PlanRun::SoftWaiting(int index) const {
  if (index >= static_cast<int>(soft_dependencies_.size())) return false;
  for (int soft : soft_dependencies_[index]) {
    v1::WorkstreamState state = runs[soft].row.state;
    if (state == v1::WORKSTREAM_STATE_READY || state == v1::WORKSTREAM_STATE_ASSIGNED ||
        state == v1::WORKSTREAM_STATE_RUNNING) {
      return true;
    }
  }
  return false;
}

void PlanRun::MakeReady(int index, common::SteadyTime not_before) {
  SetState(index, v1::WORKSTREAM_STATE_READY);
  runs[index].not_before = not_before;
  ready.Add(KeyOf(index));
  MarkDirty(index);
}

void PlanRun::Unqueue(int index) {
  WorkstreamRun& run = runs[index];
  run.queued_since.reset();
  run.revoking = false;
  queued.erase(index);
}

namespace {

bool Active(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING;
}

}  // namespace

void PlanRun::SetState(int index, v1::WorkstreamState state) {
  v1::WorkstreamState& current = runs[index].row.state;
  if (Active(current)) --active_;
  else if (!Ended(current)) --open_;
  current = state;
  if (Active(current)) ++active_;
  else if (!Ended(current)) ++open_;
  // Workstreams that order themselves after this one (soft dependents) move in the queue.
  if (index < static_cast<int>(soft_dependents_.size())) {
    for (int dependent : soft_dependents_[index]) {
      if (ready.Contains(dependent)) ready.Add(KeyOf(dependent));
    }
  }
}

void PlanRun::Recount() {
  active_ = 0;
  open_ = 0;
  for (const WorkstreamRun& run : runs) {
    if (Active(run.row.state)) ++active_;
    else if (!Ended(run.row.state)) ++open_;
  }
}

bool PlanRun::Done() const {
  bool done = plan == nullptr || (active_ == 0 && (open_ == 0 || halted));
  assert(done == DoneByScan() && "a workstream's state changed without PlanRun::SetState");
  return done;
}

bool PlanRun::DoneByScan() const {
  if (plan == nullptr) return true;
  bool waiting = false;
  for (const WorkstreamRun& run : runs) {
    v1::WorkstreamState state = run.row.state;
    if (Active(state)) return false;
    if (!Ended(state)) waiting = true;
  }
  return !waiting || halted;
}

std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> PlanRun::TakeDirty() {
  std::vector<WorkstreamRow> rows;
  for (int index : dirty_) rows.push_back(runs[index].row);
  std::vector<AttemptRow> changed;
  for (const std::string& id : dirty_attempts_) changed.push_back(attempts.at(id));
  dirty_.clear();
  dirty_attempts_.clear();
  return {std::move(rows), std::move(changed)};
}

bool PlanRun::CommitDirty(StateStore& store) {
  if (dirty_.empty() && dirty_attempts_.empty()) return false;
  auto [rows, changed] = TakeDirty();
  if (absl::Status status = store.UpdateWorkstreams(rows, changed); !status.ok()) StoreFailed(status);
  return true;
}

void StoreFailed(const absl::Status& status) {
  spdlog::critical("state store failed, stopping: {}", status.ToString());
  spdlog::default_logger()->flush();
  std::abort();
}

}  // namespace wsfleet::coordinator
