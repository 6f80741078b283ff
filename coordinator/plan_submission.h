#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/plan.h"
#include "coordinator/scheduler.h"

namespace wsfleet::coordinator {

struct PlanSubmission {
  std::string plan_id;
  bool resumed = false;  // the run of the same cards carries on (finished, halted or not)
  int rerun = 0;         // workstreams put back to run again (Scheduler::Rerun, Revise)
  Scheduler::Revision revision;  // what the cards' edits changed, when they were edited
};

// What `wsfleet run` runs again of a plan it resumes.
struct RerunOptions {
  bool failed = false;                  // --rerun-failed: FAILED, CANCELLED, BLOCKED
  std::vector<std::string> workstreams;  // --rerun WS-04: it and its dependents
  bool keep_changed = false;            // --keep-changed: edited cards do not run again
};

// How `wsfleet run` starts on a state directory. The run of the same plan (the same cards,
// or the same `name` with edited cards) carries on where it stopped, finished or halted
// too: nothing that succeeded runs again unless its card changed (Scheduler::Revise) or
// `rerun` names it. A run of another plan is not replaced while it is unfinished (an error
// that says what to do); a finished one is, by `plan`. A plan with errors is refused with
// them. Loop thread only.
absl::StatusOr<PlanSubmission> SubmitOrResume(Scheduler& scheduler, common::Plan plan,
                                              const std::string& name, bool keep_going,
                                              const std::string& state_dir, const RerunOptions& rerun = {});

}  // namespace wsfleet::coordinator
