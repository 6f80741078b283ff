#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "coordinator/state_store.h"

namespace wsfleet::testing {

// An in-memory StateStore: each named operation is applied whole or not at all, and a
// test can make the next operation fail (disk full) or count the commits.
class FakeStateStore : public coordinator::StateStore {
 public:
  absl::Status SubmitPlan(const coordinator::PlanRow& plan,
                          const std::vector<coordinator::WorkstreamRow>& rows) override {
    if (absl::Status status = Commit(); !status.ok()) return status;
    state_ = coordinator::StoredState{};
    state_.has_plan = true;
    state_.plan = plan;
    for (const auto& row : rows) workstreams_[row.workstream_id] = row;
    attempts_.clear();
    events_.clear();
    stored_.clear();
    return absl::OkStatus();
  }
  absl::Status StartAttempts(const std::vector<coordinator::AttemptRow>& attempts,
                             const std::vector<coordinator::WorkstreamRow>& rows) override {
    return Apply({}, attempts, rows);
  }
  absl::Status RecordEvents(std::vector<v1::Event>& events,
                            const std::vector<coordinator::AttemptRow>& attempts,
                            const std::vector<coordinator::WorkstreamRow>& rows) override {
    return Apply(events, attempts, rows);
  }
  absl::Status UpdateWorkstreams(const std::vector<coordinator::WorkstreamRow>& rows,
                                 const std::vector<coordinator::AttemptRow>& attempts) override {
    return Apply({}, attempts, rows);
  }
  absl::Status MarkWorkerLost(const coordinator::WorkerRow& worker,
                              const std::vector<coordinator::AttemptRow>& attempts,
                              const std::vector<coordinator::WorkstreamRow>& rows) override {
    if (absl::Status status = Apply({}, attempts, rows); !status.ok()) return status;
    workers_[worker.worker_id] = worker;
    return absl::OkStatus();
  }
  absl::Status ReviseCards(const coordinator::PlanRow& plan, const std::vector<coordinator::WorkstreamRow>& rows,
                           const std::vector<std::string>& removed) override {
    if (absl::Status status = Commit(); !status.ok()) return status;
    state_.plan = plan;
    for (const std::string& id : removed) {
      workstreams_.erase(id);
      for (auto it = attempts_.begin(); it != attempts_.end();) {
        it = it->second.workstream_id == id ? attempts_.erase(it) : std::next(it);
      }
    }
    for (const auto& row : rows) workstreams_[row.workstream_id] = row;
    return absl::OkStatus();
  }
  absl::Status RecordWorker(const coordinator::WorkerRow& worker) override {
    if (full_) return absl::ResourceExhaustedError("state store: database or disk is full (injected)");
    workers_[worker.worker_id] = worker;
    return absl::OkStatus();
  }
  absl::StatusOr<coordinator::StoredState> Load() override {
    coordinator::StoredState state = state_;
    for (const auto& [id, row] : workstreams_) state.workstreams.push_back(row);
    for (const auto& [id, row] : attempts_) state.attempts.push_back(row);
    state.events = events_;
    for (const auto& [id, row] : workers_) state.workers.push_back(row);
    return state;
  }
  std::string LogPath(const std::string& ws, const std::string& attempt) const override {
    return "/fake/logs/" + ws + "/" + attempt + ".log";
  }

  void FailNextCommit() { fail_next_ = true; }
  // The stored card texts replaced by text that holds no card: what recovery builds then
  // comes from the stored parsed workstreams alone.
  void ForgetPlanTexts() {
    for (common::SourceFile& file : state_.plan.files) file.text = "no card here\n";
  }
  // Every commit fails (disk full) until this is called with false.
  void SetFull(bool full) { full_ = full; }
  int commits() const { return commits_; }
  size_t stored_events() const { return events_.size(); }
  const coordinator::WorkstreamRow& row(const std::string& id) { return workstreams_.at(id); }

 private:
  absl::Status Commit() {
    if (full_) return absl::ResourceExhaustedError("state store: database or disk is full (injected)");
    if (fail_next_) {
      fail_next_ = false;
      return absl::ResourceExhaustedError("disk full (injected)");
    }
    ++commits_;
    return absl::OkStatus();
  }
  absl::Status Apply(const std::vector<v1::Event>& events,
                     const std::vector<coordinator::AttemptRow>& attempts,
                     const std::vector<coordinator::WorkstreamRow>& rows) {
    if (absl::Status status = Commit(); !status.ok()) return status;
    for (const auto& event : events) {
      if (stored_.insert({event.attempt_id(), event.seq()}).second) events_.push_back(event);
    }
    for (const auto& attempt : attempts) attempts_[attempt.attempt_id] = attempt;
    for (const auto& row : rows) workstreams_[row.workstream_id] = row;
    return absl::OkStatus();
  }

  coordinator::StoredState state_;
  std::map<std::string, coordinator::WorkstreamRow> workstreams_;
  std::map<std::string, coordinator::AttemptRow> attempts_;
  std::vector<v1::Event> events_;  // in the order stored
  std::set<std::pair<std::string, uint64_t>> stored_;
  std::map<std::string, coordinator::WorkerRow> workers_;
  bool fail_next_ = false;
  bool full_ = false;
  int commits_ = 0;
};

}  // namespace wsfleet::testing
