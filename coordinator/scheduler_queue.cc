// Worker queues: a busy worker may hold a few assignments beyond its slots (cards without
// GPUs, agent or gang) and start them as its slots free, without a round trip to the
// coordinator in between. What waits in a queue while another worker sits free is taken
// back after revoke_after and placed again, so a queue never holds work up for long.

#include <algorithm>

#include "coordinator/scheduler.h"
#include "coordinator/scheduler_run.h"

namespace wsfleet::coordinator {

void Scheduler::Unqueue(int index) {
  Run& run = runs_[index];
  run.queued_since.reset();
  run.revoking = false;
  queued_.erase(index);
}

void Scheduler::RevokeQueued(common::SteadyTime now, std::optional<common::SteadyTime>& earliest) {
  if (queued_.empty()) return;
  // Free slots left after this round: the ready queue had nothing those workers could run.
  std::map<std::string, int64_t> free;
  for (const auto& [id, worker] : cluster_.workers()) {
    if (worker.Accepting() && worker.room() > 0) free[id] = worker.room();
  }
  for (int index : queued_) {
    if (free.empty()) return;
    Run& run = runs_[index];
    if (run.revoking || run.gang.size() != 1) continue;
    const AttemptRow& attempt = attempts_.at(run.gang.front());
    const WorkerView* holder = cluster_.Find(attempt.worker_id);
    if (holder == nullptr || !holder->connected) continue;
    auto taker = std::find_if(free.begin(), free.end(), [&](const auto& entry) {
      return entry.first != attempt.worker_id &&
             LabelsMatch(plan_->workstreams[index].labels, cluster_.Find(entry.first)->labels);
    });
    if (taker == free.end()) continue;
    common::SteadyTime due = *run.queued_since + options_.revoke_after;
    if (now < due) {
      earliest = earliest ? std::min(*earliest, due) : due;
      continue;
    }
    if (--taker->second == 0) free.erase(taker);
    SendRevoke(index);
  }
}

void Scheduler::RevokeAllQueued() {
  for (int index : queued_) {
    if (!runs_[index].revoking && runs_[index].gang.size() == 1) SendRevoke(index);
  }
}

void Scheduler::SendRevoke(int index) {
  Run& run = runs_[index];
  run.revoking = true;
  const AttemptRow& attempt = attempts_.at(run.gang.front());
  v1::CoordinatorMessage message;
  message.mutable_revoke()->set_attempt_id(attempt.attempt_id);
  output_.Send(attempt.worker_id, message);
}

void Scheduler::Revoked(int index, const AttemptRow& attempt) {
  Run& run = runs_[index];
  Unqueue(index);
  if (!IsCurrent(attempt) || run.row.state != v1::WORKSTREAM_STATE_ASSIGNED) return;
  // It never ran: ready again at once, and not counted as an attempt.
  run.row.state = v1::WORKSTREAM_STATE_READY;
  run.row.attempts = std::max(0, run.row.attempts - 1);
  run.row.current_attempt.clear();
  run.row.worker_id.clear();
  run.gang.clear();
  std::erase(run.attempt_ids, attempt.attempt_id);
  run.not_before = clock_.Now();
  ready_.Add(KeyOf(index));
  MarkDirty(index);
}

}  // namespace wsfleet::coordinator
