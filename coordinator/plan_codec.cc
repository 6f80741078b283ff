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
void to_json(nlohmann::json& j, const FileName& name) { j = name.str(); }
// Consecutive locations in the same file share its name, as they did when parsed.
void from_json(const nlohmann::json& j, FileName& name) {
  thread_local FileName last;
  const std::string& text = j.get_ref<const std::string&>();
  if (last.str() != text) last = FileName(text);
  name = last;
}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SourceLocation, file, line)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DayRange, min, max)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Dependency, id, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Step, phase, where, language, heading, script)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MetricCheck, metric, op, value, unit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Deliverable, text, paths, where)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Workstream::Budget, wall_seconds, turns, tokens, dollars)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KnownIssue, title, problem, impact, mitigation)
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
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CardNotes, status_text, status_where, milestone, orchestrator,
                                                agent_type_where, objective, known_issues, checklist,
                                                technical_requirements, implementation_plan, risks,
                                                integration_points)

// One object: the card's notes are keys beside the workstream's own, as when they were its
// members (the stored format and CardContent did not change with them). With defaults: a
// stored workstream leaves out what it has as a new one has it (format 4).
#define WSFLEET_WORKSTREAM_KEYS                                                                                  \
  id, name, where, priority, status, agent_type, duration, dependencies, soft_dependencies, blocks, gpus, nodes, \
      timeout_seconds, hang_timeout_seconds, retries, labels, environment, budget, strict_verification,          \
      deliverables, criteria, steps, fields

void to_json(nlohmann::json& nlohmann_json_j, const Workstream& nlohmann_json_t) {
  nlohmann_json_j = nlohmann_json_t.notes();
  NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, WSFLEET_WORKSTREAM_KEYS))
}

void from_json(const nlohmann::json& nlohmann_json_j, Workstream& nlohmann_json_t) {
  const Workstream nlohmann_json_default_obj;
  NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM_WITH_DEFAULT, WSFLEET_WORKSTREAM_KEYS))
  CardNotes notes = nlohmann_json_j.get<CardNotes>();
  if (!notes.empty()) nlohmann_json_t.mutable_notes() = std::move(notes);
}

#undef WSFLEET_WORKSTREAM_KEYS

}  // namespace wsfleet::common

namespace wsfleet::coordinator {
namespace {

// Raise with any change to what is written. 4: keys a workstream has as a new one has them
// are left out (a trivial card's line: 1,150 -> 400 bytes); format 3 (every key) still reads.
constexpr int kFormat = 4;
constexpr int kOldestFormat = 3;
constexpr size_t kWorkstreamsPerPart = 1000;

// Runs task(i) for i in [0, count) on every core (a thread per `per_thread` tasks at most):
// encoding and decoding are as parallel as parsing was.
void ForEachInParallel(size_t count, const std::function<void(size_t)>& task, size_t per_thread) {
  size_t threads = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), count / per_thread));
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

// The workstream's JSON less the keys it has as a new workstream has them.
std::string EncodeOne(const common::Workstream& ws) {
  static const nlohmann::json defaults = common::Workstream{};
  nlohmann::json json = ws;
  for (auto it = json.begin(); it != json.end();) {
    auto fallback = defaults.find(it.key());
    if (fallback != defaults.end() && *fallback == *it) {
      it = json.erase(it);
    } else {
      ++it;
    }
  }
  return json.dump();
}

// One line for the format, then one JSON object a line per workstream (JSON strings hold
// no raw newline), so that the lines decode in parallel.
std::vector<std::string> EncodeWorkstreams(const std::vector<common::Workstream>& workstreams) {
  size_t parts = std::max<size_t>(1, (workstreams.size() + kWorkstreamsPerPart - 1) / kWorkstreamsPerPart);
  std::vector<std::string> encoded(parts);
  std::atomic<bool> failed{false};
  ForEachInParallel(parts, [&](size_t part) {
    std::string& out = encoded[part];
    if (part == 0) out = "{\"format\": " + std::to_string(kFormat) + "}\n";
    size_t end = std::min(workstreams.size(), (part + 1) * kWorkstreamsPerPart);
    try {
      for (size_t i = part * kWorkstreamsPerPart; i < end; ++i) out += EncodeOne(workstreams[i]) + "\n";
    } catch (const nlohmann::json::type_error&) {
      failed = true;  // text that is not UTF-8 would not survive JSON: such a plan is parsed again
    }
  }, 1);
  if (failed) return {};
  return encoded;
}

absl::StatusOr<std::vector<common::Workstream>> DecodeWorkstreams(const std::vector<std::string>& encoded) {
  std::vector<std::string_view> lines;
  for (std::string_view part : encoded) {
    for (size_t start = 0; start < part.size();) {
      size_t end = part.find('\n', start);
      if (end == std::string_view::npos) end = part.size();
      lines.push_back(part.substr(start, end - start));
      start = end + 1;
    }
  }
  try {
    int format = lines.empty() ? 0 : nlohmann::json::parse(lines[0]).value("format", 0);
    if (format < kOldestFormat || format > kFormat) {
      return absl::FailedPreconditionError("stored parsed plan has format " + std::to_string(format) + ", not " +
                                           std::to_string(kOldestFormat) + "-" + std::to_string(kFormat));
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
  }, 64);
  for (size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i].empty()) {
      return absl::DataLossError("stored parsed plan, workstream " + std::to_string(i + 1) + ": " + errors[i]);
    }
  }
  return workstreams;
}

}  // namespace wsfleet::coordinator
