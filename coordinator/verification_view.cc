#include "coordinator/verification_view.h"

#include "common/criteria.h"

namespace wsfleet::coordinator {

v1::Verification VerificationOf(const common::Workstream& card, const WorkstreamFacts& facts, Verification fleet) {
  v1::Verification out;
  for (const common::Criterion& criterion : card.criteria) {
    common::CriterionVerdict verdict = common::Judge(criterion, facts.metrics);
    v1::CriterionResult& result = *out.add_criteria();
    result.set_text(criterion.text);
    result.set_group(criterion.group);
    result.set_verdict(common::VerdictName(verdict.verdict));
    result.set_detail(verdict.detail);
    result.set_metric(verdict.metric);
    result.set_value(verdict.value);
    result.set_wanted(verdict.wanted);
  }
  for (const common::Deliverable& deliverable : card.deliverables) {
    for (const std::string& path : deliverable.paths) {
      v1::DeliverableCheck& check = *out.add_deliverables();
      check.set_path(path);
      auto found = facts.deliverables.find(path);
      check.set_checked(found != facts.deliverables.end());
      check.set_exists(found != facts.deliverables.end() && found->second);
      if (auto lines = facts.deliverable_lines.find(path); lines != facts.deliverable_lines.end()) {
        check.set_counted(true);
        check.set_lines(lines->second);
      }
    }
  }
  for (std::string& reason : VerdictReasons(card, facts, fleet)) out.add_reasons(std::move(reason));
  if (auto line = facts.metrics.find("coverage_line_percent"); line != facts.metrics.end()) {
    out.mutable_coverage()->set_line_percent(line->second);
    if (auto branch = facts.metrics.find("coverage_branch_percent"); branch != facts.metrics.end()) {
      out.mutable_coverage()->set_has_branch(true);
      out.mutable_coverage()->set_branch_percent(branch->second);
    }
  }
  return out;
}

void AddVerificationOf(const RunReader& run, int index, v1::WorkstreamStatus& ws) {
  bool ran = ws.state() == v1::WORKSTREAM_STATE_SUCCEEDED || (ws.state() == v1::WORKSTREAM_STATE_FAILED && ws.attempts() > 0);
  if (!ran) return;
  RunView view = run.ViewOf(index);
  *ws.mutable_verification() = VerificationOf(view.card, view.facts, run.verification());
}

void AddVerification(const RunReader& run, v1::RunStatus& status) {
  if (!run.has_plan()) return;
  for (int i = 0; i < status.workstreams_size(); ++i) AddVerificationOf(run, i, *status.mutable_workstreams(i));
}

}  // namespace wsfleet::coordinator
