#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include <prometheus/collectable.h>

namespace wsfleet::testing {

// One series of what `collectable` exports now, with its family's type; labels must match
// exactly (all of them). nullopt when there is no such series.
inline std::optional<std::pair<prometheus::MetricType, prometheus::ClientMetric>> FindSeries(
    const prometheus::Collectable& collectable, const std::string& name,
    const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : collectable.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have == labels) return std::make_pair(family.type, metric);
    }
  }
  return std::nullopt;
}

// A counter's or gauge's value, a histogram's sample count.
inline std::optional<double> MetricValue(const prometheus::Collectable& collectable,
                                         const std::string& name,
                                         const std::map<std::string, std::string>& labels = {}) {
  auto series = FindSeries(collectable, name, labels);
  if (!series) return std::nullopt;
  switch (series->first) {
    case prometheus::MetricType::Counter: return series->second.counter.value;
    case prometheus::MetricType::Gauge: return series->second.gauge.value;
    case prometheus::MetricType::Histogram:
      return static_cast<double>(series->second.histogram.sample_count);
    default: return std::nullopt;
  }
}

// A histogram series' sum of observations.
inline std::optional<double> HistogramSum(const prometheus::Collectable& collectable,
                                          const std::string& name,
                                          const std::map<std::string, std::string>& labels = {}) {
  auto series = FindSeries(collectable, name, labels);
  if (!series) return std::nullopt;
  return series->second.histogram.sample_sum;
}

}  // namespace wsfleet::testing
