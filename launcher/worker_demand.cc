#include "launcher/worker_demand.h"

#include <algorithm>

namespace wsfleet::launcher {

std::string WorkerShape::Key() const {
  std::string key = std::to_string(gpus) + "g" + std::to_string(nodes) + "n" + std::to_string(time_limit.count()) + "m";
  for (const std::string& constraint : constraints) key += "|" + constraint;
  return key;
}

std::string WorkerShape::Describe() const {
  std::string text = gpus == 0 ? "no GPU" : gpus == 1 ? "1 GPU" : std::to_string(gpus) + " GPUs";
  if (nodes > 1) text += " on each of " + std::to_string(nodes) + " nodes";
  if (time_limit.count() > 0) text += ", " + std::to_string(time_limit.count()) + " min";
  for (const std::string& constraint : constraints) text += ", " + constraint;
  return text;
}

WorkerShape ShapeOf(const common::Workstream& card) {
  WorkerShape shape;
  shape.gpus = static_cast<uint32_t>(std::max(0, card.gpus));
  shape.nodes = std::max(1, card.nodes);
  if (card.timeout_seconds && *card.timeout_seconds > 0) {
    int64_t seconds = *card.timeout_seconds * std::max<int64_t>(1, static_cast<int64_t>(card.steps.size())) + 600;
    shape.time_limit = std::chrono::minutes((seconds + 59) / 60);
  }
  return shape;
}

}  // namespace wsfleet::launcher
