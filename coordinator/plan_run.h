#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/plan.h"
#include "coordinator/ready_queue.h"
#include "coordinator/state_store.h"
#include "coordinator/workstream_facts.h"

namespace wsfleet::coordinator {

// What the scheduler tracks for one workstream: its durable row plus what only lives in
// memory (rebuilt from events on recovery).
struct WorkstreamRun {
  WorkstreamRow row;
  common::SteadyTime not_before{};  // backoff: not dispatched before this
  bool cancel_requested = false;
  // Why a READY workstream is not placed yet, when no worker could run it or a gang waits;
  // empty when it waits for room on a worker (Dispatcher::WhyWaiting says where).
  std::string waiting;
  // When no worker in the fleet could run it (too few GPUs, no matching labels): it fails
  // once that has lasted SchedulerOptions::infeasible_grace, giving workers time to join.
  std::optional<common::SteadyTime> infeasible_since;
  // How long a multi-node gang has waited for N workers free at once (see gang_timeout).
  std::optional<common::SteadyTime> gang_waiting_since;
  // Since when its attempt waits in a busy worker's queue (it is not started yet), and
  // whether it is being taken back from there.
  std::optional<common::SteadyTime> queued_since;
  bool revoking = false;
  std::vector<std::string> attempt_ids;  // every attempt (every rank), oldest first
  // Of the current attempt: its ranks' attempt IDs in rank order (one for a single-node
  // card); the first rank that ended without success, which ends the whole gang once the
  // others have stopped; what its ranks reported.
  std::vector<std::string> gang;
  struct Break {
    bool lost = false;  // lost ranks count against the lost retries, failures the failed
    bool final = false;  // not retried: an agent stopped by its budget would only spend more
    std::string message;
    bool handed_back = false;  // by a worker shutting down: run again at once, counting against nothing
  };
  std::optional<Break> gang_break;
  // What its current attempt reported (empty before it reports anything).
  const WorkstreamFacts& facts() const { return facts_ != nullptr ? *facts_ : NoFacts(); }
  WorkstreamFacts& mutable_facts() {
    if (facts_ == nullptr) facts_ = std::make_unique<WorkstreamFacts>();
    return *facts_;
  }
  void ClearFacts() { facts_.reset(); }
  // Every attempt's latest agent report, by attempt ID (facts hold only the current one's).
  std::map<std::string, v1::AgentReport> agent_reports;

 private:
  static const WorkstreamFacts& NoFacts();
  // Made on its first report: most of a large plan has reported nothing at any moment,
  // and a WorkstreamFacts is half a kilobyte (100,000 workstreams: 50 MB).
  std::unique_ptr<WorkstreamFacts> facts_;
};

// The plan being run, as the scheduler's parts (the Scheduler's state machine and its
// Dispatcher) share it: the plan, each workstream's row and in-memory state, the attempts,
// what is ready, and which rows changed since they were last stored. Loop thread only.
struct PlanRun {
  std::unique_ptr<common::Plan> plan;
  PlanRow row;
  std::vector<WorkstreamRun> runs;  // parallel to plan->workstreams
  std::unordered_map<std::string, AttemptRow> attempts;
  ReadyQueue ready;
  bool halted = false;   // a failure without keep_going, or the budget spent: nothing new starts
  std::set<int> queued;  // workstreams whose attempt waits in its worker's queue

  // Starts over with `plan`: every workstream fresh, no attempts, nothing ready or dirty.
  void Adopt(std::unique_ptr<common::Plan> plan, PlanRow row);
  // The same run with edited cards: `plan` and its `runs` (one per workstream, in its
  // order) replace the old; attempts of workstreams no longer there go; what is READY is
  // queued again by its new card. Nothing may be placed or running, nor dirty.
  void Rebuild(std::unique_ptr<common::Plan> plan, std::vector<WorkstreamRun> runs);
  bool has_plan() const { return plan != nullptr; }
  // The row's card texts and parsed workstreams are what was stored: once they are, the plan
  // (which holds its sources) is all that is kept in memory (tens of MB at 100,000 cards).
  void DropStoredText();
  const common::Workstream& card(int index) const { return plan->workstreams[index]; }
  // `attempts` holds only attempts of the plan's workstreams (Submit, Recover).
  int IndexOf(const AttemptRow& attempt) const { return plan->IndexOf(attempt.workstream_id).value(); }
  // Whether `attempt` is (a rank of) its workstream's current attempt.
  bool IsCurrent(const AttemptRow& attempt) const;
  ReadyQueue::Key KeyOf(int index) const;
  // READY, in the ready queue, placed no earlier than `not_before`.
  void MakeReady(int index, common::SteadyTime not_before);
  // Its attempt no longer waits in a worker's queue (started, ended or taken back).
  void Unqueue(int index);
  // Every change of a workstream's state goes through here (or Recount, after rows were
  // assigned wholesale): Done() keeps counts instead of scanning every workstream.
  void SetState(int index, v1::WorkstreamState state);
  void Recount();
  // Nothing runs and nothing more will start (everything ended, or halted). O(1).
  bool Done() const;

  void MarkDirty(int index) { dirty_.insert(index); }
  void MarkDirty(const std::string& attempt_id) { dirty_attempts_.insert(attempt_id); }
  // Its row is stored by the operation at hand (an attempt's start), not by the next.
  void MarkClean(int index) { dirty_.erase(index); }
  // The rows changed since the last commit, for the next named operation to store.
  std::pair<std::vector<WorkstreamRow>, std::vector<AttemptRow>> TakeDirty();
  // Stores the changed rows on their own (StateStore::UpdateWorkstreams); false if none.
  bool CommitDirty(StateStore& store);

 private:
  bool DoneByScan() const;  // what Done() must agree with (checked in debug builds)

  bool SoftWaiting(int index) const;  // a soft dependency of it is ready or running
  void Index();  // the soft-dependency lists, from the plan (IDs: Plan::IndexOf)

  std::vector<std::vector<int>> soft_dependencies_;  // by index, those in the plan; none: empty
  std::vector<std::vector<int>> soft_dependents_;
  int active_ = 0;  // workstreams ASSIGNED or RUNNING
  int open_ = 0;    // the rest that have not ended
  std::set<int> dirty_;
  std::set<std::string> dirty_attempts_;
};

// Acknowledged means stored: with the store failing, the safe course is to stop and let
// the restarted coordinator recover from what was committed. Logs, then aborts.
[[noreturn]] void StoreFailed(const absl::Status& status);

}  // namespace wsfleet::coordinator
