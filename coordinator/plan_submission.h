#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/plan.h"
#include "coordinator/scheduler.h"

namespace wsfleet::coordinator {

struct PlanSubmission {
  std::string plan_id;
  bool resumed = false;  // an unfinished run of the same cards carries on
};

// How `wsfleet run` starts on a state directory: an unfinished run of the same cards (same
// paths, same text) carries on where it stopped; an unfinished run of other cards is not
// replaced (an error that says what to do); otherwise `plan` is submitted. A plan with
// errors is refused with them. Loop thread only.
absl::StatusOr<PlanSubmission> SubmitOrResume(Scheduler& scheduler, common::Plan plan,
                                              const std::string& name, bool keep_going,
                                              const std::string& state_dir);

}  // namespace wsfleet::coordinator
