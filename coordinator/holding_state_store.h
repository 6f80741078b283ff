#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "coordinator/state_store.h"

namespace wsfleet::coordinator {

// A full disk is a state the coordinator waits out, not a crash. A write the wrapped
// store refuses for want of space (ResourceExhausted: SQLITE_FULL, ENOSPC, a quota) is
// held, in order, with every write after it, and reported as done: the scheduler's memory
// moves on, while what depends on durability waits (HeldOutput holds the acks and the
// assignments; the scheduler admits no more events and places nothing until the writes are
// through). RetryHeld tries them again; a failure of any other kind is returned as it is.
// A plan is never held: SubmitPlan says the disk is full and the caller changes nothing.
// One thread (the loop's).
class HoldingStateStore : public StateStore {
 public:
  HoldingStateStore(StateStore& inner, const common::Clock& clock) : inner_(inner), clock_(clock) {}

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
  // Not held: `run` says the store is full and the cards stay as they were.
  absl::Status ReviseCards(const PlanRow& plan, const std::vector<WorkstreamRow>& workstreams,
                           const std::vector<std::string>& removed) override;
  absl::StatusOr<StoredState> Load() override { return inner_.Load(); }
  std::string LogPath(const std::string& plan_id, const std::string& workstream_id,
                      const std::string& attempt_id) const override {
    return inner_.LogPath(plan_id, workstream_id, attempt_id);
  }

  std::optional<Hold> held() const override;
  bool RetryHeld() override;
  uint64_t failed_writes() const override { return failed_writes_; }

 private:
  using Write = std::function<absl::Status()>;
  // Runs `now` in place, or holds the write `keep` makes (behind others, or when `now`
  // finds the disk full).
  template <typename Now, typename Keep>
  absl::Status TryOrHold(Now now, Keep keep);
  void StartHolding(const absl::Status& status);

  StateStore& inner_;
  const common::Clock& clock_;
  std::deque<Write> held_;
  std::string reason_;
  int64_t since_unix_ms_ = 0;
  uint64_t failed_writes_ = 0;
};

}  // namespace wsfleet::coordinator
