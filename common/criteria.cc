#include "common/criteria.h"

#include <cmath>
#include <cstdio>

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

CriterionVerdict Judge(const Criterion& criterion, const std::map<std::string, double>& metrics) {
  if (!criterion.check) return {Verdict::kUnverified, "no metric to check; review by hand"};
  const MetricCheck& check = *criterion.check;
  auto found = metrics.find(check.metric);
  if (found == metrics.end()) {
    return {Verdict::kUnverified, "no step reported METRIC " + check.metric};
  }
  std::string detail = check.metric + " = " + Number(found->second) + " (wanted " +
                       CompareOpSymbol(check.op) + " " + Number(check.value) +
                       (check.unit.empty() ? "" : " " + check.unit) + ")";
  return {Holds(found->second, check.op, check.value) ? Verdict::kPass : Verdict::kFail, detail};
}

}  // namespace wsfleet::common
