#pragma once

#include <string>

#include "common/clock.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

// What the scheduler reports as it happens, for the metrics: each stored event (never a
// duplicate or a stale one), dispatches, attempt and workstream endings. Called on the loop
// thread; implementations must not block.
class SchedulerObserver {
 public:
  virtual ~SchedulerObserver() = default;
  // A new plan was submitted.
  virtual void PlanSubmitted() {}
  // `plan`: the plan's name.
  virtual void EventStored(const std::string& /*plan*/, const std::string& /*workstream_id*/,
                           const v1::Event& /*event*/) {}
  // A workstream's attempt started running: `latency` since it became ready to run.
  virtual void AttemptStarted(common::Nanos /*latency*/) {}
  virtual void AttemptEnded(v1::AttemptOutcome /*outcome*/) {}
  // `ran` is how long it ran (zero when it never started: blocked, skipped).
  virtual void WorkstreamEnded(v1::WorkstreamState /*state*/, common::Nanos /*ran*/) {}
};

}  // namespace wsfleet::coordinator
