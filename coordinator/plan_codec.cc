#include "coordinator/plan_codec.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>

namespace wsfleet::common {

// Field by field: a field added to a struct without a line here is not stored, and the
// round-trip test (plan_codec_test) compares every field of a card that sets them all.
void to_json(nlohmann::json& j, const WorkstreamId& id) { j = id.number(); }
void from_json(const nlohmann::json& j, WorkstreamId& id) { id = WorkstreamId(j.get<int>()); }
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SourceLocation, file, line)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DayRange, min, max)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Dependency, id, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Step, phase, where, language, heading, script)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MetricCheck, metric, op, value, unit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Deliverable, text, paths, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Workstream::Budget, wall_seconds, turns, tokens, dollars)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Workstream::KnownIssue, title, problem, impact, mitigation)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EnvironmentNeed, kind, text, value, os_version, at_least, where)

}  // namespace wsfleet::common

namespace nlohmann {

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value) {
      j = *value;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null()) {
      value.reset();
    } else {
      value = j.get<T>();
    }
  }
};

}  // namespace nlohmann

namespace wsfleet::common {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Duration, text, known, estimate, actual)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Criterion, group, text, checkbox, check, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Workstream, id, name, where, priority, status, status_text, status_where,
                                   milestone, orchestrator, agent_type, agent_type_where, objective, duration,
                                   dependencies, soft_dependencies, blocks, gpus, nodes, timeout_seconds,
                                   hang_timeout_seconds, retries, labels, environment, budget, strict_verification,
                                   deliverables, criteria, known_issues, checklist, technical_requirements,
                                   implementation_plan, risks, integration_points, steps, fields)

}  // namespace wsfleet::common

namespace wsfleet::coordinator {
namespace {

constexpr int kFormat = 3;  // raise with any change to what is written

// Runs task(i) for i in [0, count) on every core: decoding is as parallel as parsing was.
void ForEachInParallel(size_t count, const std::function<void(size_t)>& task) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), count / 64));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) task(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
}

}  // namespace

std::string CardContent(const common::Workstream& workstream) {
  std::function<void(nlohmann::json&)> strip = [&](nlohmann::json& json) {
    if (json.is_object()) {
      for (auto it = json.begin(); it != json.end();) {
        const std::string& key = it.key();
        bool location = key == "where" || key == "line" || (key.size() > 6 && key.ends_with("_where"));
        if (location) {
          it = json.erase(it);
        } else {
          strip(*it);
          ++it;
        }
      }
    } else if (json.is_array()) {
      for (nlohmann::json& item : json) strip(item);
    }
  };
  try {
    nlohmann::json json = workstream;
    strip(json);
    return json.dump();
  } catch (const nlohmann::json::type_error&) {
    return "";
  }
}

// One line for the format, then one JSON object a line per workstream (JSON strings hold
// no raw newline), so that the lines decode in parallel.
std::string EncodeWorkstreams(const std::vector<common::Workstream>& workstreams) {
  std::string out = "{\"format\": " + std::to_string(kFormat) + "}\n";
  try {
    for (const common::Workstream& ws : workstreams) out += nlohmann::json(ws).dump() + "\n";
  } catch (const nlohmann::json::type_error&) {
    return "";  // text that is not UTF-8 would not survive JSON: such a plan is parsed again
  }
  return out;
}

absl::StatusOr<std::vector<common::Workstream>> DecodeWorkstreams(std::string_view encoded) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < encoded.size();) {
    size_t end = encoded.find('\n', start);
    if (end == std::string_view::npos) end = encoded.size();
    lines.push_back(encoded.substr(start, end - start));
    start = end + 1;
  }
  try {
    int format = lines.empty() ? 0 : nlohmann::json::parse(lines[0]).value("format", 0);
    if (format != kFormat) {
      return absl::FailedPreconditionError("stored parsed plan has format " + std::to_string(format) + ", not " +
                                           std::to_string(kFormat));
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(std::string("stored parsed plan: ") + e.what());
  }
  std::vector<common::Workstream> workstreams(lines.size() - 1);
  std::vector<std::string> errors(workstreams.size());
  ForEachInParallel(workstreams.size(), [&](size_t i) {
    try {
      nlohmann::json::parse(lines[i + 1]).get_to(workstreams[i]);
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  });
  for (size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i].empty()) {
      return absl::DataLossError("stored parsed plan, workstream " + std::to_string(i + 1) + ": " + errors[i]);
    }
  }
  return workstreams;
}

}  // namespace wsfleet::coordinator
