#pragma once

#include <functional>
#include <string>

#include "coordinator/state_store.h"

namespace wsfleet::coordinator {

// A StateStore that times each named operation of the store it wraps and reports
// (operation, seconds) to `observe`: the store's commit latency, without the store or the
// scheduler knowing about metrics. Same thread rules as the wrapped store.
class TimedStateStore : public StateStore {
 public:
  using Observe = std::function<void(const char* operation, double seconds)>;
  TimedStateStore(StateStore& inner, Observe observe)
      : inner_(inner), observe_(std::move(observe)) {}

  absl::Status SubmitPlan(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                          const std::vector<std::string>& retire) override;
  absl::Status StartAttempts(const std::vector<AttemptRow>& attempts,
                             const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status RecordEvents(std::vector<v1::Event>& events, const std::vector<AttemptRow>& attempts,
                            const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status UpdateWorkstreams(const std::vector<WorkstreamRow>& workstreams,
                                 const std::vector<AttemptRow>& attempts) override;
  absl::Status MarkWorkerLost(const WorkerRow& worker, const std::vector<AttemptRow>& attempts,
                              const std::vector<WorkstreamRow>& workstreams) override;
  absl::Status RecordWorkers(const std::vector<WorkerRow>& workers) override;
  absl::Status ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                           const std::vector<std::string>& removed) override;
  absl::StatusOr<StoredState> Load() override { return inner_.Load(); }
  std::string LogPath(const std::string& plan_id, const std::string& workstream_id,
                      const std::string& attempt_id) const override {
    return inner_.LogPath(plan_id, workstream_id, attempt_id);
  }

 private:
  template <typename Operation>
  absl::Status Timed(const char* name, Operation&& operation);

  StateStore& inner_;
  Observe observe_;
};

}  // namespace wsfleet::coordinator
