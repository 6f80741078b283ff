#include "coordinator/timed_state_store.h"

#include <chrono>

namespace wsfleet::coordinator {

template <typename Operation>
absl::Status TimedStateStore::Timed(const char* name, Operation&& operation) {
  auto start = std::chrono::steady_clock::now();
  absl::Status status = operation();
  observe_(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return status;
}

absl::Status TimedStateStore::SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                         const std::vector<std::string>& retire) {
  return Timed("submit_plan", [&] { return inner_.SubmitPlan(plan, workstreams, retire); });
}

absl::Status TimedStateStore::StartAttempts(const std::vector<AttemptRow>& attempts,
                                            const std::vector<WorkstreamRow>& workstreams) {
  return Timed("start_attempts", [&] { return inner_.StartAttempts(attempts, workstreams); });
}

absl::Status TimedStateStore::RecordEvents(std::vector<v1::Event>& events,
                                           const std::vector<AttemptRow>& attempts,
                                           const std::vector<WorkstreamRow>& workstreams) {
  return Timed("record_events",
               [&] { return inner_.RecordEvents(events, attempts, workstreams); });
}

absl::Status TimedStateStore::UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                                const std::vector<AttemptRow>& attempts) {
  return Timed("update_workstreams", [&] { return inner_.UpdateWorkstreams(workstreams, attempts); });
}

absl::Status TimedStateStore::MarkWorkerLost(const WorkerRow& worker,
                                             const std::vector<AttemptRow>& attempts,
                                             const std::vector<WorkstreamRow>& workstreams) {
  return Timed("mark_worker_lost",
               [&] { return inner_.MarkWorkerLost(worker, attempts, workstreams); });
}

absl::Status TimedStateStore::ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                                          const std::vector<std::string>& removed) {
  return Timed("revise_cards", [&] { return inner_.ReviseCards(plan, workstreams, removed); });
}

absl::Status TimedStateStore::RecordWorkers(const std::vector<WorkerRow>& workers) {
  return Timed("record_workers", [&] { return inner_.RecordWorkers(workers); });
}

}  // namespace wsfleet::coordinator
