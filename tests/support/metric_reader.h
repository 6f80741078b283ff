#pragma once

#include <map>
#include <optional>
#include <string>

#include <prometheus/collectable.h>

namespace wsfleet::testing {

// The value of one series in what `collectable` exports now: a counter's or gauge's value,
// a histogram's sample count. nullopt when the series does not exist; labels must match
// exactly (all of them).
inline std::optional<double> MetricValue(const prometheus::Collectable& collectable,
                                         const std::string& name,
                                         const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : collectable.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have != labels) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter: return metric.counter.value;
        case prometheus::MetricType::Gauge: return metric.gauge.value;
        case prometheus::MetricType::Histogram:
          return static_cast<double>(metric.histogram.sample_count);
        default: return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

// A histogram series' sum of observations.
inline std::optional<double> HistogramSum(const prometheus::Collectable& collectable,
                                          const std::string& name,
                                          const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : collectable.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have == labels) return metric.histogram.sample_sum;
    }
  }
  return std::nullopt;
}

}  // namespace wsfleet::testing
