#pragma once

#include <string>

#include "absl/status/status.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_paths.h"

namespace wsfleet::coordinator {

// Writes each ended workstream's COMPLETION_SUMMARY.md (the seed template's "Completion
// Summary" shape) and the run report (report.md, report.json) under the state directory.
// Files are written to a temporary name, synced, then renamed. Loop thread only.
class SummaryWriter {
 public:
  SummaryWriter(StatePaths paths, const StateStore& store) : paths_(std::move(paths)), store_(store) {}

  absl::Status WriteWorkstream(const Scheduler& scheduler, int index) const;
  absl::Status WriteReport(const Scheduler& scheduler) const;

  // The summary's markdown, for tests and for writers elsewhere.
  std::string RenderWorkstream(const Scheduler& scheduler, int index) const;

 private:
  StatePaths paths_;
  const StateStore& store_;
};

// temp file + fsync + rename: a reader sees the old file or the new one, never half.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace wsfleet::coordinator
