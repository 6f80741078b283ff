#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wsfleet::common {

// A unit as criteria and metric names write it, reduced to a dimension and the factor
// that takes a value to the dimension's base (seconds, bytes, bytes per second, per
// second, percent, times).
struct Unit {
  enum class Dimension { kTime, kBytes, kByteRate, kRate, kPercent, kRatio };
  Dimension dimension = Dimension::kRatio;
  double factor = 1;
  std::string text;  // as written
};

// "ms", "µs", "minutes", "GiB", "MB/s", "req/s", "%", "x", ... Case matters only where
// it must ("MB" is bytes; "Mb" is not read). nullopt for anything else.
std::optional<Unit> ParseUnit(std::string_view text);

// The unit a metric's name ends in, by the convention `METRIC` lines follow:
// `p99_latency_ms` (ms), `membw_gbps` (GB/s), `throughput_rps` (requests/s),
// `coverage_line_percent` (%), `speedup_x`. nullopt when the last word is no unit.
std::optional<Unit> UnitOfMetricName(std::string_view name);

}  // namespace wsfleet::common
