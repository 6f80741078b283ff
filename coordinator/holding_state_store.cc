#include "coordinator/holding_state_store.h"

#include <spdlog/spdlog.h>

#include "coordinator/plan_run.h"

namespace wsfleet::coordinator {

void HoldingStateStore::StartHolding(const absl::Status& status) {
  ++failed_writes_;
  reason_ = std::string(status.message());
  since_unix_ms_ = common::ToUnixMillis(clock_.WallNow());
  spdlog::critical("the state directory is full ({}): holding this write and every one after it, and the "
                   "acknowledgements and assignments that wait for them; retrying until there is space",
                   reason_);
}

absl::Status HoldingStateStore::SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                           const std::vector<std::string>& retire) {
  if (!held_.empty()) {
    return absl::ResourceExhaustedError("the coordinator's state directory is full (" + reason_ +
                                        "): no plan can be stored until there is space");
  }
  absl::Status status = inner_.SubmitPlan(plan, workstreams, retire);
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    ++failed_writes_;
    return absl::ResourceExhaustedError("the coordinator's state directory is full: " + std::string(status.message()));
  }
  return status;
}

// Every write's own path: tried in place (no copies) while nothing is held; its arguments
// are copied into a held write only when it must wait.
template <typename Now, typename Keep>
absl::Status HoldingStateStore::TryOrHold(Now now, Keep keep) {
  if (held_.empty()) {
    absl::Status status = now();
    if (status.code() != absl::StatusCode::kResourceExhausted) return status;
    StartHolding(status);
  }
  held_.push_back(keep());
  return absl::OkStatus();
}

absl::Status HoldingStateStore::StartAttempts(const std::vector<AttemptRow>& attempts,
                                              const std::vector<WorkstreamRow>& workstreams) {
  return TryOrHold([&] { return inner_.StartAttempts(attempts, workstreams); },
                   [&]() -> Write { return [this, attempts, workstreams] { return inner_.StartAttempts(attempts, workstreams); }; });
}

absl::Status HoldingStateStore::RecordEvents(std::vector<v1::Event>& events, const std::vector<AttemptRow>& attempts,
                                             const std::vector<WorkstreamRow>& workstreams) {
  return TryOrHold([&] { return inner_.RecordEvents(events, attempts, workstreams); },
                   [&]() -> Write {
                     auto kept = std::make_shared<std::vector<v1::Event>>(std::move(events));
                     return [this, kept, attempts, workstreams] { return inner_.RecordEvents(*kept, attempts, workstreams); };
                   });
}

absl::Status HoldingStateStore::UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                                  const std::vector<AttemptRow>& attempts) {
  return TryOrHold([&] { return inner_.UpdateWorkstreams(workstreams, attempts); },
                   [&]() -> Write { return [this, workstreams, attempts] { return inner_.UpdateWorkstreams(workstreams, attempts); }; });
}

absl::Status HoldingStateStore::MarkWorkerLost(const WorkerRow& worker, const std::vector<AttemptRow>& attempts,
                                               const std::vector<WorkstreamRow>& workstreams) {
  return TryOrHold(
      [&] { return inner_.MarkWorkerLost(worker, attempts, workstreams); },
      [&]() -> Write { return [this, worker, attempts, workstreams] { return inner_.MarkWorkerLost(worker, attempts, workstreams); }; });
}

absl::Status HoldingStateStore::ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                            const std::vector<std::string>& removed) {
  if (held()) return absl::ResourceExhaustedError("the coordinator's state directory is full (" + reason_ + ")");
  return inner_.ReviseCards(plan, workstreams, removed);
}

absl::Status HoldingStateStore::RecordWorkers(const std::vector<WorkerRow>& workers) {
  return TryOrHold([&] { return inner_.RecordWorkers(workers); },
                   [&]() -> Write { return [this, workers] { return inner_.RecordWorkers(workers); }; });
}

std::optional<StateStore::Hold> HoldingStateStore::held() const {
  if (held_.empty()) return std::nullopt;
  return Hold{reason_, since_unix_ms_, held_.size()};
}

bool HoldingStateStore::RetryHeld() {
  while (!held_.empty()) {
    absl::Status status = held_.front()();
    if (status.code() == absl::StatusCode::kResourceExhausted) {
      ++failed_writes_;
      reason_ = std::string(status.message());
      return false;
    }
    if (!status.ok()) {
      // Not space: what the store does with any other failure (see plan_run.h).
      StoreFailed(status);
    }
    held_.pop_front();
  }
  spdlog::warn("the state directory has space again: the held writes are stored ({} s after the disk filled)",
               (common::ToUnixMillis(clock_.WallNow()) - since_unix_ms_) / 1000);
  return true;
}

}  // namespace wsfleet::coordinator
