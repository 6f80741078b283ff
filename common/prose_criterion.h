#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/units.h"
#include "common/workstream.h"

namespace wsfleet::common {

// A comparison written as people write criteria: "p99 latency < 50 ms", "Throughput at
// least 1,000 req/s", "Test coverage ≥ 80%", "Startup within 2 seconds". The first
// operator (symbol or words: at least, at most, under, below, over, above, less/more/
// greater than, within, no more/less than, up to, exceeds) followed by a number, an
// optional unit after it. A card may name the metric: "(metric: p99_ms)".
struct ProseComparison {
  CompareOp op = CompareOp::kLess;
  double value = 0;
  std::optional<Unit> unit;
  std::string bound_metric;  // from "(metric: NAME)"; empty when not given
};

std::optional<ProseComparison> ParseProseComparison(std::string_view text);

// The reported metric a prose criterion speaks of: the one whose name's words (split on
// `_`, its unit suffix left out) all appear in the criterion, with a unit that can be
// compared with the criterion's; the most specific (most words) when several do; a tie
// is ambiguous. "coverage_line_percent" matches a criterion that says coverage without
// "branch" (line coverage is what coverage means unqualified).
struct MetricChoice {
  std::string metric;  // empty: none chosen, `why` says why
  std::string why;
};
MetricChoice ChooseMetric(std::string_view criterion, const ProseComparison& comparison,
                          const std::map<std::string, double>& metrics);

}  // namespace wsfleet::common
