#include "common/criteria.h"

#include <cmath>
#include <cstdio>

#include "common/prose_criterion.h"

namespace wsfleet::common {
namespace {

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

bool Holds(double actual, CompareOp op, double wanted) {
  switch (op) {
    case CompareOp::kLess: return actual < wanted;
    case CompareOp::kLessEqual: return actual <= wanted;
    case CompareOp::kGreater: return actual > wanted;
    case CompareOp::kGreaterEqual: return actual >= wanted;
    // Metrics arrive as decimal text; equality allows for the last printed digit.
    case CompareOp::kEqual: return std::fabs(actual - wanted) <= 1e-9 * std::max(1.0, std::fabs(wanted));
    case CompareOp::kNotEqual: return std::fabs(actual - wanted) > 1e-9 * std::max(1.0, std::fabs(wanted));
  }
  return false;
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass: return "PASS";
    case Verdict::kFail: return "FAIL";
    case Verdict::kUnverified: return "UNVERIFIED";
  }
  return "?";
}

namespace {

// A criterion in prose ("p99 latency < 50 ms"): the comparison it states, against the one
// reported metric it speaks of, units converted.
CriterionVerdict JudgeProse(const Criterion& criterion, const std::map<std::string, double>& metrics) {
  std::optional<ProseComparison> comparison = ParseProseComparison(criterion.text);
  if (!comparison) return {Verdict::kUnverified, "no comparison with a number to check; review by hand", "", 0, ""};
  std::string written = comparison->unit ? " " + comparison->unit->text : "";
  std::string wanted_text = std::string(CompareOpSymbol(comparison->op)) + " " + Number(comparison->value) + written;
  MetricChoice choice = ChooseMetric(criterion.text, *comparison, metrics);
  if (choice.metric.empty()) return {Verdict::kUnverified, choice.why, "", 0, wanted_text};
  double actual = metrics.at(choice.metric);
  std::optional<Unit> unit = UnitOfMetricName(choice.metric);
  double wanted = comparison->value;
  if (unit && comparison->unit) {
    if (unit->dimension != comparison->unit->dimension) {
      return {Verdict::kUnverified,
              choice.metric + " is in " + unit->text + ", the criterion in " + comparison->unit->text, "", 0,
              wanted_text};
    }
    wanted = comparison->value * comparison->unit->factor / unit->factor;  // in the metric's unit
  }
  std::string unit_text = unit ? " " + unit->text : comparison->unit ? " " + comparison->unit->text : "";
  std::string detail = choice.metric + " = " + Number(actual) + unit_text + " (wanted " + wanted_text + ")";
  return {Holds(actual, comparison->op, wanted) ? Verdict::kPass : Verdict::kFail, detail, choice.metric, actual,
          wanted_text};
}

}  // namespace

CriterionVerdict Judge(const Criterion& criterion, const std::map<std::string, double>& metrics) {
  if (!criterion.check) return JudgeProse(criterion, metrics);
  const MetricCheck& check = *criterion.check;
  std::string wanted = std::string(CompareOpSymbol(check.op)) + " " + Number(check.value) +
                       (check.unit.empty() ? "" : " " + check.unit);
  auto found = metrics.find(check.metric);
  if (found == metrics.end()) {
    return {Verdict::kUnverified, "no step reported METRIC " + check.metric, "", 0, wanted};
  }
  std::string detail = check.metric + " = " + Number(found->second) + " (wanted " + wanted + ")";
  return {Holds(found->second, check.op, check.value) ? Verdict::kPass : Verdict::kFail, detail, check.metric,
          found->second, wanted};
}

}  // namespace wsfleet::common
