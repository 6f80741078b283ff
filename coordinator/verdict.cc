#include "coordinator/verdict.h"

#include "common/criteria.h"

namespace wsfleet::coordinator {
namespace {

constexpr size_t kNamesShown = 5;

std::string Plural(uint32_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

std::string TestsFailed(const WorkstreamFacts& facts) {
  uint32_t failed = facts.tests.failed();
  std::string out = Plural(failed, "test failed", "tests failed");
  if (facts.failed_tests.empty()) return out + " (its runner printed no names)";
  out += ": ";
  size_t shown = std::min(kNamesShown, facts.failed_tests.size());
  for (size_t i = 0; i < shown; ++i) out += (i > 0 ? ", " : "") + facts.failed_tests[i];
  if (failed > shown) out += " and " + std::to_string(failed - shown) + " more";
  return out;
}

}  // namespace

std::optional<Verification> ParseVerification(std::string_view text) {
  if (text == "lenient") return Verification::kLenient;
  if (text == "default") return Verification::kDefault;
  if (text == "strict") return Verification::kStrict;
  return std::nullopt;
}

const char* VerificationName(Verification verification) {
  switch (verification) {
    case Verification::kLenient: return "lenient";
    case Verification::kDefault: return "default";
    case Verification::kStrict: return "strict";
  }
  return "?";
}

std::vector<std::string> VerdictReasons(const common::Workstream& card, const WorkstreamFacts& facts,
                                        Verification fleet) {
  std::vector<std::string> reasons;
  bool strict = fleet == Verification::kStrict || card.strict_verification;
  if (fleet != Verification::kLenient || card.strict_verification) {
    if (card.steps.empty()) reasons.push_back(std::string(kNoStepsRan));
    if (facts.tests.failed() > 0) reasons.push_back(TestsFailed(facts));
    std::vector<std::string> missing;
    for (const common::Deliverable& deliverable : card.deliverables) {
      for (const std::string& path : deliverable.paths) {
        auto found = facts.deliverables.find(path);
        if (found == facts.deliverables.end() || !found->second) missing.push_back(path);
      }
    }
    if (!missing.empty()) {
      std::string list;
      for (const std::string& path : missing) list += (list.empty() ? "" : ", ") + path;
      reasons.push_back((missing.size() == 1 ? "deliverable missing: " : "deliverables missing: ") + list);
    }
  }
  std::string failed, unverified;
  for (const common::Criterion& criterion : card.criteria) {
    common::CriterionVerdict verdict = common::Judge(criterion, facts.metrics);
    if (verdict.verdict == common::Verdict::kFail) {
      failed += (failed.empty() ? "" : "; ") + verdict.detail;
    } else if (verdict.verdict == common::Verdict::kUnverified && strict) {
      unverified += (unverified.empty() ? "" : "; ") + criterion.text;
    }
  }
  if (!failed.empty()) reasons.push_back("acceptance criteria failed: " + failed);
  if (!unverified.empty()) {
    reasons.push_back(std::string("not verified (") +
                      (fleet == Verification::kStrict ? "--require-verified" : "the card asks for strict verification") +
                      "): " + unverified);
  }
  return reasons;
}

}  // namespace wsfleet::coordinator
