// A finished plan run again with edited cards (wsfleet run on the same plan after an edit):
// the cards are replaced, and only what they changed runs again.

#include <deque>
#include <map>
#include <set>

#include "coordinator/plan_codec.h"
#include "coordinator/plan_scheduler.h"

namespace wsfleet::coordinator {

absl::StatusOr<PlanScheduler::Revision> PlanScheduler::Revise(common::Plan plan, bool keep_changed) {
  if (!run_.has_plan()) return absl::FailedPreconditionError("no plan has been submitted");
  if (!run_.Done()) {
    return absl::FailedPreconditionError("the cards of plan " + run_.row.plan_id +
                                         " changed while its run is unfinished; let it finish or cancel it "
                                         "(wsfleet cancel --all), then run again");
  }
  if (!plan.ok()) {
    std::vector<common::Diagnostic> sorted = plan.diagnostics.Sorted();
    for (const common::Diagnostic& diagnostic : sorted) {
      if (diagnostic.severity == common::Severity::kError) return absl::InvalidArgumentError(diagnostic.ToString());
    }
    return absl::InvalidArgumentError("the plan has errors");
  }
  if (plan.workstreams.empty()) return absl::InvalidArgumentError("the plan holds no workstream cards");

  Revision revision;
  std::deque<int> changed;
  std::vector<WorkstreamRow> rows(plan.workstreams.size());
  std::vector<bool> is_new(plan.workstreams.size(), false);
  for (size_t j = 0; j < plan.workstreams.size(); ++j) {
    const common::Workstream& ws = plan.workstreams[j];
    std::optional<int> old = run_.plan->IndexOf(ws.id);
    if (!old) {
      rows[j] = InitialRow(ws);
      is_new[j] = true;
      revision.added.push_back(ws.id.ToString());
      continue;
    }
    rows[j] = run_.runs[*old].row;
    if (CardContent(run_.card(*old)) != CardContent(ws)) {
      revision.changed.push_back(ws.id.ToString());
      changed.push_back(static_cast<int>(j));
    }
  }
  std::set<std::string> kept;
  for (const common::Workstream& ws : plan.workstreams) kept.insert(ws.id.ToString());
  for (const common::Workstream& ws : run_.plan->workstreams) {
    if (!kept.count(ws.id.ToString())) revision.removed.push_back(ws.id.ToString());
  }
  // What ran on a changed card's results runs again with it.
  std::set<int> rerun = keep_changed ? std::set<int>{} : WithDependents(changed, plan.graph);
  if (!rerun.empty() && !budget_.stop_reason().empty()) {
    return absl::FailedPreconditionError("the plan's agent budget is spent (" + budget_.stop_reason() +
                                         "): nothing more runs under it");
  }
  std::vector<WorkstreamRow> stored;
  for (size_t j = 0; j < rows.size(); ++j) {
    bool reset = rerun.count(static_cast<int>(j)) > 0 && !is_new[j] &&
                 rows[j].state != v1::WORKSTREAM_STATE_PENDING && rows[j].state != v1::WORKSTREAM_STATE_READY;
    if (reset) {
      ResetRow(rows[j], plan.workstreams[j]);
      ++revision.rerun;
    }
    if (is_new[j]) ++revision.rerun;
    if (reset || is_new[j]) stored.push_back(rows[j]);
  }
  PlanRow row = run_.row;
  row.files = plan.sources;
  row.parsed = EncodeWorkstreams(plan.workstreams);
  // Stored first: a crash after it resumes the revised run; one before, the old one.
  if (absl::Status status = store_.ReviseCards(row, stored, revision.removed); !status.ok()) return status;

  std::vector<WorkstreamRun> runs(plan.workstreams.size());
  for (size_t j = 0; j < plan.workstreams.size(); ++j) {
    if (!is_new[j]) runs[j] = std::move(run_.runs[*run_.plan->IndexOf(plan.workstreams[j].id)]);
    runs[j].row = rows[j];
  }
  run_.Rebuild(std::make_unique<common::Plan>(std::move(plan)), std::move(runs));
  run_.row = std::move(row);
  run_.DropStoredText();
  AfterRerun();
  return revision;
}

}  // namespace wsfleet::coordinator
