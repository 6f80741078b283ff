#pragma once

#include <map>
#include <string>

#include "common/workstream.h"

namespace wsfleet::common {

enum class Verdict { kPass, kFail, kUnverified };

struct CriterionVerdict {
  Verdict verdict = Verdict::kUnverified;
  std::string detail;  // "membw_gbps = 251.5 GB/s (>= 250)", or why it is unverified
  std::string metric;  // what it was judged by; empty when nothing was
  double value = 0;    // that metric's value
  std::string wanted;  // the comparison as written: ">= 250 GB/s"; empty when none was read
};

const char* VerdictName(Verdict verdict);  // PASS | FAIL | UNVERIFIED

// Judges a criterion against the metrics an attempt's steps reported: a backticked
// comparison (`p99_ms < 50`) by its metric; one in prose ("p99 latency < 50 ms") by the
// reported metric its words name, units converted (see prose_criterion.h). What names no
// comparison, or no one metric, stays UNVERIFIED with the reason, for a person to review.
CriterionVerdict Judge(const Criterion& criterion, const std::map<std::string, double>& metrics);

}  // namespace wsfleet::common
