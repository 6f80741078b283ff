#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "coordinator/run_reader.h"
#include "coordinator/state_paths.h"

namespace wsfleet::coordinator {

// Writes each ended workstream's COMPLETION_SUMMARY.md (RenderSummary) and the run report
// (report.md, report.json) under the state directory, from a read-only view of the run.
// It hands each file to `write` with a renderer: a summary's over a snapshot of its
// workstream (or, for the report, of the run) taken now, so it may render on another
// thread: the coordinator passes its FileWriter's, so the loop neither renders nor waits
// on the disk. By default `write` renders and writes at once (WriteFileAtomically,
// without fsync). Loop thread only.
class SummaryWriter {
 public:
  using Write = std::function<absl::Status(std::string path, std::function<std::string()> render)>;
  explicit SummaryWriter(StatePaths paths, Write write = nullptr);

  absl::Status WriteWorkstream(const RunReader& run, int index) const;
  absl::Status WriteReport(const RunReader& run) const;

 private:
  StatePaths paths_;
  Write write_;
};

// temp file + rename: a reader sees the old file or the new one, never half. Without
// fsync: summaries and reports derive from the store, and a coordinator rewrites them all
// when it opens the state (a crash may leave one empty or an older version of it), so a
// thousand short workstreams do not cost a thousand fsyncs.
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace wsfleet::coordinator
