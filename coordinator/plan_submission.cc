#include "coordinator/plan_submission.h"

#include <algorithm>

namespace wsfleet::coordinator {

absl::StatusOr<PlanSubmission> SubmitOrResume(Scheduler& scheduler, common::Plan plan,
                                              const std::string& name, bool keep_going,
                                              const std::string& state_dir, const RerunOptions& rerun) {
  if (scheduler.has_plan()) {
    const PlanRow& row = scheduler.plan_row();
    const std::vector<common::SourceFile>& held = scheduler.plan()->sources;  // as stored
    bool same_text = held.size() == plan.sources.size() &&
                     std::equal(held.begin(), held.end(), plan.sources.begin(),
                                [](const auto& a, const auto& b) { return a.path == b.path && a.text == b.text; });
    // The same plan: the same cards, or cards edited since under the same name (the folder
    // or file `run` was given).
    if (same_text || row.name == name) {
      PlanSubmission resumed{row.plan_id, true, 0, {}};
      if (!same_text) {
        absl::StatusOr<Scheduler::Revision> revision = scheduler.Revise(std::move(plan), rerun.keep_changed);
        if (!revision.ok()) return revision.status();
        resumed.rerun = revision->rerun;
        resumed.revision = std::move(*revision);
      }
      if (rerun.failed || !rerun.workstreams.empty()) {
        absl::StatusOr<int> count = scheduler.Rerun({rerun.failed, rerun.workstreams});
        if (!count.ok()) return count.status();
        resumed.rerun += *count;
      }
      return resumed;
    }
    if (!scheduler.Done()) {
      return absl::FailedPreconditionError(state_dir + " holds an unfinished run of plan " + row.plan_id +
                                           " with other cards; use another --state, or remove that directory");
    }
  }
  if (rerun.failed || !rerun.workstreams.empty()) {
    return absl::FailedPreconditionError(state_dir + " holds no run of these cards to run again");
  }
  absl::StatusOr<Scheduler::SubmitResult> submitted = scheduler.SubmitParsed(std::move(plan), name, keep_going);
  if (!submitted.ok()) return submitted.status();
  if (submitted->plan_id.empty()) {
    std::string first = submitted->diagnostics.Sorted().empty()
                            ? "the plan has errors"
                            : submitted->diagnostics.Sorted().front().ToString();
    return absl::InvalidArgumentError(first);
  }
  return PlanSubmission{submitted->plan_id, false, 0, {}};
}

}  // namespace wsfleet::coordinator
