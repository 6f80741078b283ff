#include "cli/config_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "absl/status/status.h"

namespace wsfleet::cli {
namespace {

absl::Status ErrorAt(const std::string& path, const YAML::Node& node, const std::string& message) {
  return absl::InvalidArgumentError(path + ":" + std::to_string(node.Mark().line + 1) + ": " +
                                    message);
}

}  // namespace

absl::StatusOr<FleetConfig> LoadConfig(const std::string& path) {
  FleetConfig config;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(path + ": no such file");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return ErrorAt(path, root, "expected a mapping with the key 'agents'");
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    if (key != "agents") return ErrorAt(path, entry.first, "unknown key '" + key + "' (known: agents)");
    const YAML::Node& agents = entry.second;
    if (agents.IsNull()) continue;
    if (!agents.IsMap()) return ErrorAt(path, agents, "'agents' maps agent types to commands");
    for (const auto& agent : agents) {
      if (!agent.second.IsScalar()) {
        return ErrorAt(path, agent.second,
                       "the command for agent '" + agent.first.as<std::string>() + "' must be a string");
      }
      config.agents[agent.first.as<std::string>()] = agent.second.as<std::string>();
    }
  }
  return config;
}

}  // namespace wsfleet::cli
