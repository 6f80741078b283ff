#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/workstream.h"

// Parsers for the values of a card's `**Key**: value` fields. Each is pure: text in,
// value (or a reason it cannot be read) out.
namespace wsfleet::common {

// "3-4 days", "1 day", "<1 day", "2-4 hours", "1 week", "1 day (estimated: 4-5 days)",
// "4-5 days (completed in 1 day)". `known` is false for missing or placeholder values.
Duration ParseDuration(std::string_view text);

// A quantity of effort such as "3-4 days" or "<1 day" at the start of `text`.
std::optional<DayRange> ParseDayRange(std::string_view text);

// "P0 (CRITICAL PATH)" -> 0; also Critical/High/Medium/Low -> 0/1/2/3.
std::optional<int> ParsePriority(std::string_view text);

// "Not Started", "In Progress", "Ready for Implementation", "✅ COMPLETE", "Done", ...
std::optional<WorkstreamStatus> ParseStatus(std::string_view text);

// "2h", "30m", "90s", "1h30m", "2 hours", "45 minutes" -> seconds.
absl::StatusOr<int64_t> ParseTimeoutSeconds(std::string_view text);

// "2h, 50 turns, 2M tokens, $5" (any of them, any order; k/M/G multiply tokens).
absl::StatusOr<Workstream::Budget> ParseBudget(std::string_view text);

// A leading non-negative integer no larger than `max`: "2", "2 (per node)".
absl::StatusOr<int> ParseCount(std::string_view text, int max);

// "gpu.product=GB10, zone=a" -> {gpu.product: GB10, zone: a}.
absl::StatusOr<std::map<std::string, std::string>> ParseLabels(std::string_view text);

// The contents of one backticked span: "membw_gbps >= 250", "p99_ms < 10 ms".
std::optional<MetricCheck> ParseMetricCheck(std::string_view code);

}  // namespace wsfleet::common
