#include "coordinator/plan_submission.h"

#include <algorithm>

namespace wsfleet::coordinator {

absl::StatusOr<PlanSubmission> SubmitOrResume(Scheduler& scheduler, common::Plan plan,
                                              const std::string& name, bool keep_going,
                                              const std::string& state_dir) {
  if (scheduler.has_plan() && !scheduler.Done()) {
    const std::vector<common::SourceFile>& stored = scheduler.plan_row().files;
    bool same = stored.size() == plan.sources.size() &&
                std::equal(stored.begin(), stored.end(), plan.sources.begin(),
                           [](const auto& a, const auto& b) { return a.path == b.path && a.text == b.text; });
    if (!same) {
      return absl::FailedPreconditionError(state_dir + " holds an unfinished run of plan " +
                                           scheduler.plan_row().plan_id +
                                           " with other cards; use another --state, or remove that directory");
    }
    return PlanSubmission{scheduler.plan_row().plan_id, true};
  }
  absl::StatusOr<Scheduler::SubmitResult> submitted = scheduler.SubmitParsed(std::move(plan), name, keep_going);
  if (!submitted.ok()) return submitted.status();
  if (submitted->plan_id.empty()) {
    std::string first = submitted->diagnostics.Sorted().empty()
                            ? "the plan has errors"
                            : submitted->diagnostics.Sorted().front().ToString();
    return absl::InvalidArgumentError(first);
  }
  return PlanSubmission{submitted->plan_id, false};
}

}  // namespace wsfleet::coordinator
