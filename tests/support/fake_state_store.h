#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/state_store.h"

namespace wsfleet::testing {

// An in-memory StateStore: each named operation is applied whole or not at all, and a
// test can make the next operation fail (disk full) or count the commits.
class FakeStateStore : public coordinator::StateStore {
 public:
  absl::Status SubmitPlan(const coordinator::PlanRow& plan, const std::vector<coordinator::WorkstreamRow>& rows,
                          const std::vector<std::string>& retire) override {
    if (absl::Status status = Commit(); !status.ok()) return status;
    for (const std::string& id : retire) std::erase(held_, id);
    held_.push_back(plan.plan_id);
    plans_[plan.plan_id] = plan;
    for (const auto& row : rows) workstreams_[{row.plan_id, row.workstream_id}] = row;
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
    plans_[plan.plan_id] = plan;
    for (const std::string& id : removed) {
      workstreams_.erase({plan.plan_id, id});
      for (auto it = attempts_.begin(); it != attempts_.end();) {
        bool gone = it->second.plan_id == plan.plan_id && it->second.workstream_id == id;
        it = gone ? attempts_.erase(it) : std::next(it);
      }
    }
    for (const auto& row : rows) workstreams_[{row.plan_id, row.workstream_id}] = row;
    return absl::OkStatus();
  }
  absl::Status RecordWorkers(const std::vector<coordinator::WorkerRow>& workers) override {
    if (absl::Status status = Commit(); !status.ok()) return status;
    for (const coordinator::WorkerRow& worker : workers) workers_[worker.worker_id] = worker;
    return absl::OkStatus();
  }
  absl::StatusOr<coordinator::StoredState> Load() override {
    coordinator::StoredState state;
    for (const std::string& plan_id : held_) {
      coordinator::StoredPlan plan;
      plan.plan = plans_.at(plan_id);
      for (const auto& [key, row] : workstreams_) {
        if (key.first == plan_id) plan.workstreams.push_back(row);
      }
      std::set<std::string> ids;
      for (const auto& [id, row] : attempts_) {
        if (row.plan_id != plan_id) continue;
        plan.attempts.push_back(row);
        ids.insert(id);
      }
      for (const v1::Event& event : events_) {
        if (ids.count(event.attempt_id())) plan.events.push_back(event);
      }
      state.plans.push_back(std::move(plan));
    }
    for (const auto& [id, row] : workers_) state.workers.push_back(row);
    return state;
  }
  std::string LogPath(const std::string& plan, const std::string& ws, const std::string& attempt) const override {
    return "/fake/" + plan + "/logs/" + ws + "/" + attempt + ".log";
  }

  void FailNextCommit() { fail_next_ = true; }
  // The stored card texts replaced by text that holds no card: what recovery builds then
  // comes from the stored parsed workstreams alone.
  void ForgetPlanTexts() {
    for (auto& [id, plan] : plans_) {
      for (common::SourceFile& file : plan.files) file.text = "no card here\n";
    }
  }
  // Every commit fails (disk full) until this is called with false.
  void SetFull(bool full) { full_ = full; }
  int commits() const { return commits_; }
  size_t stored_events() const { return events_.size(); }
  // The row of workstream `id` in the plan submitted last that has one.
  const coordinator::WorkstreamRow& row(const std::string& id) {
    for (auto plan = held_.rbegin(); plan != held_.rend(); ++plan) {
      auto found = workstreams_.find({*plan, id});
      if (found != workstreams_.end()) return found->second;
    }
    for (const auto& [key, row] : workstreams_) {
      if (key.second == id) return row;
    }
    return workstreams_.at({"", id});
  }
  const std::vector<std::string>& held_plans() const { return held_; }

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
    for (const auto& row : rows) workstreams_[{row.plan_id, row.workstream_id}] = row;
    return absl::OkStatus();
  }

  std::vector<std::string> held_;  // plans held, oldest first
  std::map<std::string, coordinator::PlanRow> plans_;
  std::map<std::pair<std::string, std::string>, coordinator::WorkstreamRow> workstreams_;  // (plan, workstream)
  std::map<std::string, coordinator::AttemptRow> attempts_;
  std::vector<v1::Event> events_;  // in the order stored
  std::set<std::pair<std::string, uint64_t>> stored_;
  std::map<std::string, coordinator::WorkerRow> workers_;
  bool fail_next_ = false;
  bool full_ = false;
  int commits_ = 0;
};

}  // namespace wsfleet::testing
