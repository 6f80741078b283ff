#include "worker/agent_versions.h"

#include <cctype>
#include <future>
#include <vector>

#include "common/child_process.h"

namespace wsfleet::worker {
namespace {

std::vector<uint64_t> Parts(const std::string& version) {
  std::vector<uint64_t> parts;
  uint64_t part = 0;
  for (char c : version) {
    if (c == '.') {
      parts.push_back(part);
      part = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      part = part * 10 + static_cast<uint64_t>(c - '0');
    } else {
      break;
    }
  }
  parts.push_back(part);
  return parts;
}

}  // namespace

std::optional<std::string> ParseVersion(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) || (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      continue;
    }
    size_t end = i;
    int dots = 0;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) ||
                                 (text[end] == '.' && end + 1 < text.size() &&
                                  std::isdigit(static_cast<unsigned char>(text[end + 1]))))) {
      dots += text[end] == '.' ? 1 : 0;
      ++end;
    }
    if (dots >= 1) return std::string(text.substr(i, end - i));
    i = end;
  }
  return std::nullopt;
}

bool VersionAtLeast(const std::string& have, const std::string& need) {
  std::vector<uint64_t> a = Parts(have), b = Parts(need);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    uint64_t x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x > y;
  }
  return true;
}

std::optional<std::string> RunVersionCommand(const std::string& command) {
  absl::StatusOr<std::string> out =
      common::RunCapturingOutput({"/usr/bin/timeout", "10", "/bin/bash", "-c", command + " 2>&1"});
  if (!out.ok()) return std::nullopt;
  return *out;
}

std::map<std::string, std::string> AgentLabels(const std::map<std::string, AgentSpec>& configured,
                                               const VersionProbe& probe,
                                               const std::function<void(const std::string&)>& log) {
  std::map<std::string, AgentSpec> agents = BuiltinAgents();
  for (const auto& [type, spec] : configured) agents[type] = spec;
  // Probed at once: each CLI takes a fraction of a second to a second to start.
  std::map<std::string, std::future<std::optional<std::string>>> probes;
  for (const auto& [type, spec] : agents) {
    if (!spec.version_command.empty() && !probes.count(spec.version_command)) {
      probes[spec.version_command] = std::async(std::launch::async, probe, spec.version_command);
    }
  }
  std::map<std::string, std::optional<std::string>> outputs;
  for (auto& [command, future] : probes) outputs[command] = future.get();
  std::map<std::string, std::string> labels;
  for (const auto& [type, spec] : agents) {
    if (type == "shell" || spec.command.empty()) continue;
    if (spec.version_command.empty()) {
      labels["agent." + type] = "configured";
      continue;
    }
    const std::optional<std::string>& output = outputs[spec.version_command];
    std::optional<std::string> version = output ? ParseVersion(*output) : std::nullopt;
    if (!version) {
      log("agent " + type + ": `" + spec.version_command + "` " +
          (output ? "printed no version" : "failed") + ": not offered");
      continue;
    }
    if (!spec.min_version.empty() && !VersionAtLeast(*version, spec.min_version)) {
      labels["agent." + type + ".refused"] = *version + " < " + spec.min_version;
      log("agent " + type + ": version " + *version + " is older than the " + spec.min_version +
          " wsfleet's template needs: not offered");
      continue;
    }
    labels["agent." + type] = *version;
  }
  return labels;
}

}  // namespace wsfleet::worker
