#include "coordinator/summary_render.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "common/criteria.h"
#include "common/text.h"
#include "proto/enum_names.h"

namespace wsfleet::coordinator {
namespace {

using common::ToLower;

std::string Date(int64_t unix_ms) { return common::UtcDateTime(unix_ms); }

std::string Days(const common::DayRange& range) {
  char buffer[64];
  if (range.min == range.max) {
    std::snprintf(buffer, sizeof buffer, "%g day%s", range.max, range.max == 1 ? "" : "s");
  } else {
    std::snprintf(buffer, sizeof buffer, "%g-%g days", range.min, range.max);
  }
  return buffer;
}

std::string StatusLine(v1::WorkstreamState state) {
  switch (state) {
    case v1::WORKSTREAM_STATE_SUCCEEDED: return "✅ COMPLETE";
    case v1::WORKSTREAM_STATE_SKIPPED: return "✅ COMPLETE (skipped: the card was already complete)";
    case v1::WORKSTREAM_STATE_FAILED: return "❌ FAILED";
    case v1::WORKSTREAM_STATE_BLOCKED: return "⛔ BLOCKED";
    case v1::WORKSTREAM_STATE_CANCELLED: return "🚫 CANCELLED";
    default: return "IN PROGRESS";
  }
}

const char* Mark(common::Verdict verdict) {
  switch (verdict) {
    case common::Verdict::kPass: return "✅";
    case common::Verdict::kFail: return "❌";
    case common::Verdict::kUnverified: return "⬜";
  }
  return "?";
}

// "**Agent session**: <id>, 12 turns, 31 tool calls, 48200 tokens in / 2100 out, $0.42"
std::string AgentLine(const v1::AgentReport& agent) {
  char cost[32] = "cost not reported";
  if (agent.cost_reported()) std::snprintf(cost, sizeof cost, "$%.2f", agent.cost_usd());
  return "**Agent session**: " + (agent.session_id().empty() ? std::string("(none reported)") : agent.session_id()) +
         ", " + std::to_string(agent.turns()) + " turns, " + std::to_string(agent.tool_calls()) +
         " tool calls, " + std::to_string(agent.input_tokens()) + " tokens in / " +
         std::to_string(agent.output_tokens()) + " out, " + cost +
         (agent.error().empty() ? "" : " (the agent reported: " + agent.error() + ")") + "\n";
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string QualitySection(const RunView& view) {
  std::string out = "\n## Code Quality Metrics\n";
  uint64_t lines = 0;
  for (const auto& [path, count] : view.facts.deliverable_lines) lines += count;
  out += view.facts.deliverable_lines.empty() ? "- Lines in the deliverables: not counted (no deliverable file checked)\n"
                                              : "- Lines in the deliverables: " + std::to_string(lines) + "\n";
  auto coverage = view.facts.metrics.find("coverage_line_percent");
  out += coverage == view.facts.metrics.end() ? "- Test coverage: no coverage report read\n"
                                              : "- Test coverage: " + Number(coverage->second) + "%\n";
  out += "- Code review: not verified by wsfleet (review by hand)\n";
  return out;
}

std::string KnownLimitations(const common::Workstream& card) {
  std::string out = "\n## Known Limitations\n";
  for (const common::KnownIssue& issue : card.notes().known_issues) {
    std::string details;
    if (!issue.impact.empty()) details += "impact: " + issue.impact;
    if (!issue.mitigation.empty()) details += (details.empty() ? "" : "; ") + std::string("mitigation: ") + issue.mitigation;
    out += "- " + issue.title + (issue.problem.empty() ? "" : ": " + issue.problem) +
           (details.empty() ? "" : " (" + details + ")") + "\n";
  }
  if (card.notes().known_issues.empty()) out += "(the card lists none)\n";
  return out;
}

// The card's Completion Checklist, each box ticked only where wsfleet verified the item,
// and why not where it did not (or could not).
std::string ChecklistSection(const RunView& view, v1::WorkstreamState state) {
  const common::Workstream& card = view.card;
  if (card.notes().checklist.empty()) return "";
  int paths = 0, found = 0, checked = 0;
  for (const common::Deliverable& deliverable : card.deliverables) {
    for (const std::string& path : deliverable.paths) {
      ++paths;
      auto seen = view.facts.deliverables.find(path);
      if (seen == view.facts.deliverables.end()) continue;
      ++checked;
      found += seen->second ? 1 : 0;
    }
  }
  int failed = 0, unverified = 0, performance = 0, performance_passed = 0;
  for (const common::Criterion& criterion : card.criteria) {
    common::Verdict verdict = common::Judge(criterion, view.facts.metrics).verdict;
    failed += verdict == common::Verdict::kFail;
    unverified += verdict == common::Verdict::kUnverified;
    if (ToLower(criterion.group).find("performance") != std::string::npos) {
      ++performance;
      performance_passed += verdict == common::Verdict::kPass;
    }
  }
  const v1::TestCounts& tests = view.facts.tests;
  bool ended = state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_FAILED;
  std::string out = "\n## Completion Checklist\n";
  for (const std::string& item : card.notes().checklist) {
    std::string lower = ToLower(item);
    bool tick = false;
    std::string why;
    if (lower.find("deliverable") != std::string::npos) {
      tick = paths > 0 && found == paths;
      why = checked == 0 ? "not checked" : std::to_string(found) + " of " + std::to_string(paths) + " found";
    } else if (lower.find("criteria") != std::string::npos) {
      tick = ended && failed == 0 && unverified == 0 && !card.criteria.empty();
      why = card.criteria.empty() ? "the card lists none"
            : failed > 0          ? std::to_string(failed) + " failed"
            : unverified > 0      ? std::to_string(unverified) + " unverified: review by hand"
                                  : "all " + std::to_string(card.criteria.size()) + " checked and passed";
    } else if (lower.find("unit test") != std::string::npos || lower.find("integration test") != std::string::npos) {
      // By what the steps said they run; unit tests may also be every test when no step
      // said (integration tests never are: that claim needs a step that makes it).
      bool integration = lower.find("integration test") != std::string::npos;
      const v1::TestCounts& kind = integration ? view.facts.integration_tests : view.facts.unit_tests;
      bool said = kind.passed() + kind.failed() > 0;
      const v1::TestCounts& counted = said || integration ? kind : tests;
      tick = counted.passed() > 0 && counted.failed() == 0;
      why = counted.failed() > 0   ? std::to_string(counted.failed()) + " failed"
            : counted.passed() == 0 ? (integration ? "no step says it runs integration tests" : "no tests reported")
            : said                  ? std::to_string(counted.passed()) + " passed"
                                    : std::to_string(counted.passed()) + " passed; no step said which are unit tests";
    } else if (lower.find("benchmark") != std::string::npos || lower.find("performance") != std::string::npos) {
      tick = performance > 0 && performance_passed == performance;
      why = performance == 0 ? "no Performance criteria to check"
                             : std::to_string(performance_passed) + " of " + std::to_string(performance) +
                                   " Performance criteria passed";
    } else if (lower.find("summary") != std::string::npos) {
      tick = true;
      why = "this file";
    } else {
      why = "cannot check this: review by hand";
    }
    out += std::string(tick ? "- [x] " : "- [ ] ") + item + " (wsfleet: " + why + ")\n";
  }
  return out;
}

std::string Names(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// Blockers Resolved, Integration Status and Next Steps: its place in the plan as it ended.
std::string NeighbourSections(const RunView& view, v1::WorkstreamState state) {
  bool done = state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_SKIPPED;
  std::string out = "\n## Blockers Resolved\n";
  for (const RunView::Neighbour& blocker : view.dependencies) {
    out += "- " + blocker.id + " (" + blocker.name + "): ";
    if (blocker.state == v1::WORKSTREAM_STATE_SUCCEEDED) {
      out += "✅ SUCCEEDED" + (blocker.merge.empty() ? std::string() : ", " + blocker.merge);
    } else if (blocker.state == v1::WORKSTREAM_STATE_SKIPPED) {
      out += "✅ SKIPPED (already complete)";
    } else {
      out += rpc::StateName(blocker.state);
    }
    out += "\n";
  }
  if (view.dependencies.empty()) out += "(it depended on nothing)\n";

  out += "\n## Integration Status\n";
  for (const RunView::Neighbour& next : view.dependents) {
    out += "- Blocks " + next.id + " (" + next.name + "): ";
    if (next.state == v1::WORKSTREAM_STATE_BLOCKED) {
      out += "⛔ BLOCKED";
    } else if (done && next.waiting_for.empty()) {
      out += "✅ unblocked";
    } else if (done) {
      out += "still waits for " + Names(next.waiting_for);
    } else {
      out += rpc::StateName(next.state);
    }
    out += "\n";
  }
  if (view.dependents.empty()) out += "(nothing depends on it)\n";

  out += "\n## Next Steps\n";
  std::string id = view.card.id.ToString();
  if (done) {
    int proceeding = 0;
    for (const RunView::Neighbour& next : view.dependents) {
      if (next.waiting_for.empty() && next.state != v1::WORKSTREAM_STATE_BLOCKED) {
        out += "- " + next.id + " can now proceed\n";
        ++proceeding;
      }
    }
    if (proceeding == 0) out += view.dependents.empty() ? "- none in this plan\n" : "- none can proceed yet\n";
  } else if (state == v1::WORKSTREAM_STATE_FAILED) {
    std::vector<std::string> waiting;
    for (const RunView::Neighbour& next : view.dependents) waiting.push_back(next.id);
    out += "- Fix " + id + " and `wsfleet retry " + id + "`" +
           (waiting.empty() ? "" : ": " + Names(waiting) + (waiting.size() == 1 ? " waits" : " wait") + " for it") + "\n";
  } else {
    out += "- none: it did not complete\n";
  }
  return out;
}

}  // namespace

std::string ElapsedText(int64_t from_ms, int64_t to_ms) {
  if (from_ms <= 0 || to_ms < from_ms) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f s", static_cast<double>(to_ms - from_ms) / 1000);
  return buffer;
}

std::string RenderSummary(const RunView& view, const std::string& plan_id) {
  const common::Workstream& ws = view.card;
  const WorkstreamRow& row = view.row;
  const std::map<std::string, double>& metrics = view.facts.metrics;
  std::string out = "# " + ws.id.ToString() + ": " + ws.name + " - Completion Summary\n\n";
  v1::WorkstreamState state = row.state;
  out += "**Status**: " + StatusLine(state) + "\n";
  // Blocked and cancelled work never completed: no date, though its row has when it ended.
  bool completed = state != v1::WORKSTREAM_STATE_BLOCKED && state != v1::WORKSTREAM_STATE_CANCELLED;
  out += "**Completion Date**: " + (completed ? Date(row.finished_unix_ms) : std::string("-")) + "\n";
  out += "**Duration**: " + ElapsedText(row.started_unix_ms, row.finished_unix_ms) +
         " (estimated: " + Days(ws.duration.estimate) + ")\n";
  out += "**Agent**: " + (ws.agent_type.empty() ? std::string("shell") : ws.agent_type) + "\n";
  out += "**Attempts**: " + std::to_string(row.attempts) +
         (row.worker_id.empty() ? "" : " (last on worker " + row.worker_id + ")") + "\n";
  if (!row.message.empty()) out += "**Result**: " + row.message + "\n";
  if (view.facts.agent) out += AgentLine(*view.facts.agent);
  if (!view.merge.empty()) out += "**Merge**: " + view.merge + "\n";
  if (view.facts.output_dropped_bytes > 0) {
    char size[32];
    std::snprintf(size, sizeof size, "%.1f MiB", static_cast<double>(view.facts.output_dropped_bytes) / (1 << 20));
    out += std::string("**Output**: ") + size +
           " over the cap dropped (each step kept its start and its last MiB; see the log)\n";
  }

  out += "\n## Deliverables Created\n";
  // What its worker checked (after its steps passed), whatever was decided after.
  int number = 0;
  for (const common::Deliverable& deliverable : ws.deliverables) {
    out += std::to_string(++number) + ". " + deliverable.text + "\n";
    for (const std::string& path : deliverable.paths) {
      auto checked = view.facts.deliverables.find(path);
      auto lines = view.facts.deliverable_lines.find(path);
      std::string size = lines == view.facts.deliverable_lines.end()
                             ? ""
                             : " (" + std::to_string(lines->second) + (lines->second == 1 ? " line)" : " lines)");
      out += "   - `" + path + "`: " +
             (checked == view.facts.deliverables.end() ? "not checked (the attempt did not get that far)"
              : checked->second                         ? "✅ found" + size
                                                        : std::string("❌ missing")) +
             "\n";
    }
  }
  if (ws.deliverables.empty()) out += "(the card lists none)\n";

  out += "\n## Acceptance Criteria Verification\n";
  for (const common::Criterion& criterion : ws.criteria) {
    common::CriterionVerdict verdict = common::Judge(criterion, metrics);
    out += std::string(Mark(verdict.verdict)) + " " + common::VerdictName(verdict.verdict) + " (" +
           criterion.group + ") " + criterion.text + " — " + verdict.detail + "\n";
  }
  if (ws.criteria.empty()) out += "(the card lists none)\n";

  const v1::TestCounts& tests = view.facts.tests;
  out += "\n## Test Results\n";
  out += "- Tests: " + std::to_string(tests.passed()) + " passed, " +
         std::to_string(tests.failed()) + " failed, " + std::to_string(tests.skipped()) +
         " skipped\n";
  for (const auto& [label, counts] : {std::pair{"Unit tests", &view.facts.unit_tests},
                                     std::pair{"Integration tests", &view.facts.integration_tests}}) {
    uint32_t run = counts->passed() + counts->failed();
    if (run == 0) continue;
    out += std::string("- ") + label + ": " + std::to_string(counts->passed()) + "/" + std::to_string(run) +
           " passing (" + Number(100.0 * counts->passed() / run) + "%)\n";
  }
  out += "- Steps: " + std::to_string(ws.steps.size()) + " (test and verification commands)\n";
  auto line_coverage = metrics.find("coverage_line_percent");
  auto branch_coverage = metrics.find("coverage_branch_percent");
  if (line_coverage != metrics.end()) {
    out += "- Coverage: " + Number(line_coverage->second) + "% of lines" +
           (branch_coverage != metrics.end() ? ", " + Number(branch_coverage->second) + "% of branches" : "") + "\n";
  }
  out += "- Metrics:";
  if (metrics.empty()) out += " none reported";
  for (const auto& [name, value] : metrics) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    out += std::string(" `") + name + " = " + buffer + "`";
  }
  out += "\n";
  out += QualitySection(view);
  out += KnownLimitations(view.card);
  out += NeighbourSections(view, state);
  out += ChecklistSection(view, state);
  out += "\n## Logs\n";
  for (size_t i = 0; i < view.log_paths.size(); ++i) {
    out += "- attempt " + std::to_string(i + 1) + ": `" + view.log_paths[i] + "`\n";
  }
  if (view.log_paths.empty()) out += "(no attempt ran)\n";
  out += "\n---\nWritten by wsfleet from plan " + plan_id + ".\n";
  return out;
}

}  // namespace wsfleet::coordinator
