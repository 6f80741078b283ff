#include "launcher/worker_demand.h"

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

}  // namespace wsfleet::launcher
