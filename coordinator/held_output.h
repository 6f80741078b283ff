#pragma once

#include <deque>
#include <string>
#include <utility>

#include "coordinator/scheduler_output.h"
#include "coordinator/state_store.h"

namespace wsfleet::coordinator {

// The scheduler's messages to workers, held while the store holds writes (a full disk):
// an Ack, an Assign, a merge turn or a rendezvous value must not go out before what it
// stands for is stored. Lease renewals and Rejoin pass (they promise nothing durable, and
// workers that heard no lease would stop their steps). Release sends what was held, in
// order, once the store is through. Notices for watchers pass at once. Loop thread only.
class HeldOutput : public SchedulerOutput {
 public:
  HeldOutput(SchedulerOutput& inner, const StateStore& store) : inner_(inner), store_(store) {}

  void Send(const std::string& worker_id, const v1::CoordinatorMessage& message) override;
  void StatusChanged(const RunReader& run) override { inner_.StatusChanged(run); }
  void WorkstreamEnded(const RunReader& run, int index) override { inner_.WorkstreamEnded(run, index); }

  // Sends what was held, if the store holds nothing now.
  void Release();
  size_t held() const { return held_.size(); }

 private:
  SchedulerOutput& inner_;
  const StateStore& store_;
  std::deque<std::pair<std::string, v1::CoordinatorMessage>> held_;
};

}  // namespace wsfleet::coordinator
