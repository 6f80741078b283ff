#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "coordinator/scheduler.h"
#include "coordinator/state_paths.h"

namespace wsfleet::coordinator {

// Writes each ended workstream's COMPLETION_SUMMARY.md (the seed template's "Completion
// Summary" shape) and the run report (report.md, report.json) under the state directory.
// It renders them on the loop thread (they read the scheduler) and hands each file to
// `write` (by default WriteFileAtomically without fsync, at once; the coordinator passes its
// FileWriter's, so the loop does not wait on the disk). Loop thread only.
class SummaryWriter {
 public:
  using Write = std::function<absl::Status(std::string path, std::string contents)>;
  SummaryWriter(StatePaths paths, const StateStore& store, Write write = nullptr);

  absl::Status WriteWorkstream(const Scheduler& scheduler, int index) const;
  absl::Status WriteReport(const Scheduler& scheduler) const;

  // The summary's markdown, for tests and for writers elsewhere.
  // `as_succeeded`: rendered as it will read once merged (for --write-back, before the merge).
  std::string RenderWorkstream(const Scheduler& scheduler, int index, bool as_succeeded = false) const;

 private:
  StatePaths paths_;
  const StateStore& store_;
  Write write_;
};

// temp file + rename: a reader sees the old file or the new one, never half. Without
// fsync: summaries and reports derive from the store, and a coordinator rewrites them all
// when it opens the state (a crash may leave one empty or an older version of it), so a
// thousand short workstreams do not cost a thousand fsyncs.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace wsfleet::coordinator
