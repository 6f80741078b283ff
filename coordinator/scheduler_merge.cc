// The merge queue: attempts whose work passed in their worktree merge into the plan's
// integration branch one at a time. Dependencies merge first by construction (a workstream
// starts only after its dependencies merged); among the waiting, the scheduling order
// (priority, then remaining critical path, then ID) decides. Git's compare-and-swap on the
// integration branch keeps merges correct even if two ever overlap (after a coordinator
// restart); the queue keeps them in order and out of each other's way.

#include <algorithm>

#include "coordinator/scheduler.h"
#include "coordinator/scheduler_run.h"

namespace wsfleet::coordinator {

void Scheduler::QueueMerge(const AttemptRow& attempt) {
  if (merge_holder_ == attempt.attempt_id ||
      std::find(merge_queue_.begin(), merge_queue_.end(), attempt.attempt_id) != merge_queue_.end()) {
    return;
  }
  merge_queue_.push_back(attempt.attempt_id);
  GrantMerge();
}

void Scheduler::GrantMerge() {
  if (!merge_holder_.empty() || merge_queue_.empty()) return;
  auto next = std::min_element(merge_queue_.begin(), merge_queue_.end(),
                               [this](const std::string& a, const std::string& b) {
                                 return KeyOf(IndexOf(attempts_.at(a))) < KeyOf(IndexOf(attempts_.at(b)));
                               });
  merge_holder_ = *next;
  merge_queue_.erase(next);
  v1::CoordinatorMessage message;
  message.mutable_merge_turn()->set_attempt_id(merge_holder_);
  if (options_.write_back) {
    message.mutable_merge_turn()->set_summary(output_.RenderSummary(IndexOf(attempts_.at(merge_holder_)), /*as_succeeded=*/true));
  }
  pending_relays_.emplace_back(attempts_.at(merge_holder_).worker_id, std::move(message));
}

void Scheduler::MergeEnded(const std::string& attempt_id) {
  merge_queue_.erase(std::remove(merge_queue_.begin(), merge_queue_.end(), attempt_id), merge_queue_.end());
  if (merge_holder_ == attempt_id) {
    merge_holder_.clear();
    GrantMerge();
  }
}

std::string Scheduler::MergeState(int index) const {
  const Run& run = runs_[index];
  if (!run.merged_commit.empty()) return "merged " + run.merged_commit.substr(0, 12);
  if (run.gang.empty()) return "";
  const std::string& attempt = run.gang.front();
  if (attempt == merge_holder_) return "merging";
  auto queued = std::find(merge_queue_.begin(), merge_queue_.end(), attempt);
  if (queued == merge_queue_.end()) return "";
  size_t ahead = (merge_holder_.empty() ? 0 : 1);
  for (const std::string& other : merge_queue_) {
    if (other != attempt && KeyOf(IndexOf(attempts_.at(other))) < KeyOf(index)) ++ahead;
  }
  return "waiting to merge (" + std::to_string(ahead) + " ahead)";
}

void Scheduler::SendRelays() {
  for (auto& [worker, message] : pending_relays_) output_.Send(worker, message);
  pending_relays_.clear();
}

}  // namespace wsfleet::coordinator
