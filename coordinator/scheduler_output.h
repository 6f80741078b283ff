#pragma once

#include <string>

#include "coordinator/run_reader.h"
#include "wsfleet/v1/worker.pb.h"

namespace wsfleet::coordinator {

// Where the scheduler's commands go: messages to workers' sessions, and notices for
// watchers and the summary writer, each with the run it is about (read-only, valid on the
// loop thread). Called on the loop thread; implementations must not block (queue the
// message, do not write it inline).
class SchedulerOutput {
 public:
  virtual ~SchedulerOutput() = default;
  virtual void Send(const std::string& worker_id, const v1::CoordinatorMessage& message) = 0;
  virtual void StatusChanged(const RunReader& /*run*/) {}
  // A workstream reached SUCCEEDED, FAILED, CANCELLED, BLOCKED or SKIPPED.
  virtual void WorkstreamEnded(const RunReader& /*run*/, int /*index*/) {}
};

}  // namespace wsfleet::coordinator
