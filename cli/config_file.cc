#include "cli/config_file.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>

#include "absl/status/status.h"
#include "common/field_values.h"

namespace wsfleet::cli {
namespace {

constexpr const char* kSlurmKeys = "partition, account, qos, sbatch_args, worker_args, features";

absl::Status ErrorAt(const std::string& path, const YAML::Node& node, const std::string& message) {
  return absl::InvalidArgumentError(path + ":" + std::to_string(node.Mark().line + 1) + ": " +
                                    message);
}

absl::Status LoadWorkspace(const std::string& path, const YAML::Node& node, FleetConfig& config) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return ErrorAt(path, node, "'workspace' has the keys copy and setup");
  for (const auto& field : node) {
    std::string name = field.first.as<std::string>();
    if (name == "setup") {
      if (!field.second.IsScalar()) return ErrorAt(path, field.second, "workspace.setup is a command");
      config.setup = field.second.as<std::string>();
    } else if (name == "copy") {
      if (!field.second.IsSequence()) {
        return ErrorAt(path, field.second, "workspace.copy is a list of paths in the repository");
      }
      for (const auto& item : field.second) {
        std::string file = item.IsScalar() ? item.as<std::string>() : "";
        if (file.empty() || file.front() == '/' || file.find("..") != std::string::npos) {
          return ErrorAt(path, item, "workspace.copy: '" + file + "' is not a relative path inside the repository");
        }
        config.copy.push_back(file);
      }
    } else {
      return ErrorAt(path, field.first, "workspace: unknown key '" + name + "' (known: copy, setup)");
    }
  }
  return absl::OkStatus();
}

absl::Status LoadBudgets(const std::string& path, const YAML::Node& node, FleetConfig& config) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return ErrorAt(path, node, "'budgets' has the keys workstream and plan");
  for (const auto& field : node) {
    std::string name = field.first.as<std::string>();
    if (name != "workstream" && name != "plan") {
      return ErrorAt(path, field.first, "budgets: unknown key '" + name + "' (known: workstream, plan)");
    }
    absl::StatusOr<common::Workstream::Budget> budget =
        field.second.IsScalar() ? common::ParseBudget(field.second.as<std::string>())
                                : absl::InvalidArgumentError("a budget such as '2h, 2M tokens, $5'");
    if (!budget.ok()) return ErrorAt(path, field.second, "budgets." + name + ": " + std::string(budget.status().message()));
    (name == "plan" ? config.plan_budget : config.workstream_budget) = *budget;
  }
  return absl::OkStatus();
}

absl::Status LoadSteps(const std::string& path, const YAML::Node& node, FleetConfig& config) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return ErrorAt(path, node, "'steps' has the keys direct_exec, env_passthrough");
  for (const auto& field : node) {
    std::string name = field.first.as<std::string>();
    if (name == "env_passthrough") {
      if (!field.second.IsSequence()) {
        return ErrorAt(path, field.second, "steps.env_passthrough is a list of variable names, e.g. [PATH, HOME]");
      }
      config.env_passthrough.emplace();
      for (const YAML::Node& variable : field.second) {
        std::string text = variable.IsScalar() ? variable.as<std::string>() : "";
        if (text.empty() || text.find_first_of("= ") != std::string::npos) {
          return ErrorAt(path, variable, "steps.env_passthrough: '" + text + "' is not a variable name");
        }
        config.env_passthrough->push_back(text);
      }
      continue;
    }
    if (name != "direct_exec") {
      return ErrorAt(path, field.first, "steps: unknown key '" + name + "' (known: direct_exec, env_passthrough)");
    }
    bool value = false;
    if (!field.second.IsScalar() || !YAML::convert<bool>::decode(field.second, value)) {
      return ErrorAt(path, field.second, "steps.direct_exec is true or false");
    }
    config.direct_exec = value;
  }
  return absl::OkStatus();
}

absl::Status LoadVerification(const std::string& path, const YAML::Node& node, FleetConfig& config) {
  if (node.IsNull()) return absl::OkStatus();
  if (node.IsScalar()) {
    std::string value = node.as<std::string>();
    config.verification = coordinator::ParseVerification(value);
    if (!config.verification) {
      return ErrorAt(path, node, "verification: '" + value + "' is not lenient, default or strict");
    }
    return absl::OkStatus();
  }
  if (!node.IsMap()) return ErrorAt(path, node, "'verification' is lenient, default, strict or has the key require_verified");
  for (const auto& field : node) {
    std::string name = field.first.as<std::string>();
    if (name != "require_verified") {
      return ErrorAt(path, field.first, "verification: unknown key '" + name + "' (known: require_verified)");
    }
    bool value = false;
    if (!field.second.IsScalar() || !YAML::convert<bool>::decode(field.second, value)) {
      return ErrorAt(path, field.second, "verification.require_verified is true or false");
    }
    config.verification = value ? coordinator::Verification::kStrict : coordinator::Verification::kDefault;
  }
  return absl::OkStatus();
}

absl::Status LoadSlurm(const std::string& path, const YAML::Node& node, FleetConfig& config) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsMap()) return ErrorAt(path, node, "'slurm' has the keys " + std::string(kSlurmKeys));
  for (const auto& field : node) {
    std::string name = field.first.as<std::string>();
    const YAML::Node& value = field.second;
    if (name == "partition" || name == "account" || name == "qos") {
      if (!value.IsScalar()) return ErrorAt(path, value, "slurm." + name + " is one name");
      (name == "partition" ? config.slurm.partition : name == "account" ? config.slurm.account : config.slurm.qos) =
          value.as<std::string>();
    } else if (name == "sbatch_args" || name == "worker_args") {
      if (!value.IsSequence()) return ErrorAt(path, value, "slurm." + name + " is a list of arguments");
      for (const auto& item : value) {
        if (!item.IsScalar()) return ErrorAt(path, item, "slurm." + name + ": each argument is one word");
        (name == "sbatch_args" ? config.slurm.sbatch_args : config.slurm.worker_args).push_back(item.as<std::string>());
      }
    } else if (name == "features") {
      if (!value.IsMap()) {
        return ErrorAt(path, value, "slurm.features maps a label or need (rack=a, gpu=GB10) to a node feature");
      }
      for (const auto& feature : value) {
        if (!feature.second.IsNull() && !feature.second.IsScalar()) {
          return ErrorAt(path, feature.second, "slurm.features: a node feature is one name (or \"\" for none)");
        }
        config.slurm.features[feature.first.as<std::string>()] =
            feature.second.IsNull() ? "" : feature.second.as<std::string>();
      }
    } else {
      return ErrorAt(path, field.first, "slurm: unknown key '" + name + "' (known: " + std::string(kSlurmKeys) + ")");
    }
  }
  return absl::OkStatus();
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
  if (!root.IsMap()) return ErrorAt(path, root, "expected a mapping with the keys 'agents', 'budgets', 'slurm', 'steps', 'verification', 'workspace'");
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    if (key == "workspace") {
      if (absl::Status status = LoadWorkspace(path, entry.second, config); !status.ok()) return status;
      continue;
    }
    if (key == "budgets") {
      if (absl::Status status = LoadBudgets(path, entry.second, config); !status.ok()) return status;
      continue;
    }
    if (key == "steps") {
      if (absl::Status status = LoadSteps(path, entry.second, config); !status.ok()) return status;
      continue;
    }
    if (key == "slurm") {
      if (absl::Status status = LoadSlurm(path, entry.second, config); !status.ok()) return status;
      continue;
    }
    if (key == "verification") {
      if (absl::Status status = LoadVerification(path, entry.second, config); !status.ok()) return status;
      continue;
    }
    if (key != "agents") {
      return ErrorAt(path, entry.first, "unknown key '" + key + "' (known: agents, budgets, slurm, steps, verification, workspace)");
    }
    const YAML::Node& agents = entry.second;
    if (agents.IsNull()) continue;
    if (!agents.IsMap()) return ErrorAt(path, agents, "'agents' maps agent types to commands");
    for (const auto& agent : agents) {
      std::string type = agent.first.as<std::string>();
      worker::AgentSpec spec;
      if (agent.second.IsScalar()) {
        spec.command = agent.second.as<std::string>();
        // A role mapped to a shipped agent (`backend-architect: claude`): that agent, with
        // its resume and its events read. A bare CLI name is no useful command of its own.
        if (auto shipped = worker::BuiltinAgents().find(spec.command); shipped != worker::BuiltinAgents().end()) {
          spec = shipped->second;
        }
      } else if (agent.second.IsMap()) {
        for (const auto& field : agent.second) {
          std::string name = field.first.as<std::string>();
          if (!field.second.IsScalar()) {
            return ErrorAt(path, field.second, "agent '" + type + "': '" + name + "' must be a single value");
          }
          std::string value = field.second.as<std::string>();
          if (name == "command") {
            spec.command = value;
          } else if (name == "resume") {
            spec.resume = value;
          } else if (name == "format") {
            std::optional<worker::AgentFormat> format = worker::ParseAgentFormat(value);
            if (!format) {
              return ErrorAt(path, field.second, "agent '" + type + "': format '" + value +
                                                     "' is not claude, codex, opencode or none");
            }
            spec.format = *format;
          } else if (name == "idle_timeout") {
            char* end = nullptr;
            long seconds = std::strtol(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0' || seconds <= 0) {
              return ErrorAt(path, field.second, "agent '" + type + "': idle_timeout is whole seconds > 0");
            }
            spec.idle_timeout = std::chrono::seconds(seconds);
          } else {
            return ErrorAt(path, field.first, "agent '" + type + "': unknown key '" + name +
                                                  "' (known: command, resume, format, idle_timeout)");
          }
        }
        if (spec.command.empty()) return ErrorAt(path, agent.second, "agent '" + type + "' has no command");
      } else {
        return ErrorAt(path, agent.second, "agent '" + type + "' must be a command or a mapping");
      }
      config.agents[type] = spec;
    }
  }
  return config;
}

}  // namespace wsfleet::cli
