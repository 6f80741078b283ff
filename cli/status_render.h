#pragma once

#include <map>
#include <string>

#include "wsfleet/v1/control.pb.h"

namespace wsfleet::cli {

const char* StateName(v1::WorkstreamState state);  // "SUCCEEDED", ...

// `wsfleet status`: one row per workstream, then counts per state.
std::string RenderStatusTable(const v1::RunStatus& status);

// `wsfleet plans`: one row per plan held.
std::string RenderPlansTable(const v1::ListPlansResponse& plans);

// "3 succeeded, 2 running, 5 pending" in a fixed order.
std::string CountsLine(const v1::RunStatus& status);

// "; critical path left: 4.5 days (estimated)": the longest estimated chain of work not
// yet done, from the cards' durations; empty when nothing is left.
std::string CriticalPathLeft(const v1::RunStatus& status);

// "1h02m", "3m05s", "42s".
std::string ElapsedText(int64_t milliseconds);

// "; ETA 3m20s at the pace so far": the coordinator's ETA (the critical path left, in the
// cards' estimated days, times the wall time the workstreams that succeeded took per
// estimated day); empty until one has, or when nothing is left.
std::string EtaAtThePaceSoFar(const v1::RunStatus& status);

// Tracks states between two statuses to print "WS-03 RUNNING on local-1" lines.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool terminal) : terminal_(terminal) {}
  // What to print for `status` (plain lines for changes; a redrawn line on a terminal).
  std::string Update(const v1::RunStatus& status);

 private:
  bool terminal_;
  std::map<std::string, v1::WorkstreamState> last_;
  bool line_open_ = false;
};

}  // namespace wsfleet::cli
