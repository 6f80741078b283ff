#include "launcher/worker_demand.h"

#include <algorithm>

namespace wsfleet::launcher {

std::string WorkerShape::Key() const {
  std::string key = std::to_string(gpus) + "g" + std::to_string(nodes) + "n" + std::to_string(time_limit.count()) + "m";
  for (const auto& [name, value] : labels) key += "|" + name + "=" + value;
  for (const std::string& need : environment) key += "|" + need;
  return key;
}

std::string WorkerShape::Describe() const {
  std::string text = gpus == 0 ? "no GPU" : gpus == 1 ? "1 GPU" : std::to_string(gpus) + " GPUs";
  if (nodes > 1) text += " on each of " + std::to_string(nodes) + " nodes";
  if (time_limit.count() > 0) text += ", " + std::to_string(time_limit.count()) + " min";
  for (const auto& [name, value] : labels) text += ", " + name + "=" + value;
  for (const std::string& need : environment) text += ", " + need;
  return text;
}

std::string EnvironmentConstraint(const common::EnvironmentNeed& need) {
  using Kind = common::EnvironmentNeed::Kind;
  auto version = [&](const char* name) { return std::string(name) + (need.at_least ? ">=" : "=") + need.value; };
  switch (need.kind) {
    case Kind::kArch: return "arch=" + need.value;
    case Kind::kGpu: return "gpu=" + need.value;
    case Kind::kOs: return "os=" + need.value + (need.os_version.empty() ? "" : " " + need.os_version);
    case Kind::kCuda: return "cuda>=" + need.value;  // CUDA's version is always a minimum
    case Kind::kPython: return version("python");
    case Kind::kRust: return version("rust");
    case Kind::kHint: break;
  }
  return "";
}

WorkerShape ShapeOf(const common::Workstream& card) {
  WorkerShape shape;
  shape.gpus = static_cast<uint32_t>(std::max(0, card.gpus));
  shape.nodes = std::max(1, card.nodes);
  if (card.timeout_seconds && *card.timeout_seconds > 0) {
    int64_t seconds = *card.timeout_seconds * std::max<int64_t>(1, static_cast<int64_t>(card.steps.size())) + 600;
    shape.time_limit = std::chrono::minutes((seconds + 59) / 60);
  }
  shape.labels = card.labels;
  for (const common::EnvironmentNeed& need : card.environment) {
    std::string text = EnvironmentConstraint(need);
    if (!text.empty() && std::find(shape.environment.begin(), shape.environment.end(), text) == shape.environment.end()) {
      shape.environment.push_back(text);
    }
  }
  return shape;
}

}  // namespace wsfleet::launcher
