#include "worker/agents.h"

#include <set>

namespace wsfleet::worker {

const std::map<std::string, AgentSpec>& BuiltinAgents() {
  // Each reads the rendered prompt file and works in the workspace without asking:
  // nobody is there to answer. claude accepts edits and may run commands; codex writes
  // and runs sandboxed to the workspace (`--sandbox workspace-write`: `--full-auto` is gone
  // since codex 0.147); opencode runs allowed by default. wsfleet's own steps judge the
  // result afterwards.
  // The minimum versions: the release lines of the CLIs pinned in tests/agents/clis (codex:
  // 0.147, which removed --full-auto), whose flags and event formats these are written
  // for. Only the pinned versions themselves are tested.
  static const std::map<std::string, AgentSpec> kAgents = [] {
    auto agent = [](std::string command, std::string resume, AgentFormat format, const std::string& cli,
                    std::string min_version) {
      return AgentSpec{std::move(command), std::move(resume), format, std::chrono::seconds(15 * 60),
                       cli + " --version", std::move(min_version)};
    };
    std::map<std::string, AgentSpec> agents;
    agents["claude"] = agent(
        "claude -p --output-format stream-json --verbose --permission-mode acceptEdits --allowedTools Bash "
        "< {prompt}",
        "claude -p --resume {session} --output-format stream-json --verbose --permission-mode acceptEdits "
        "--allowedTools Bash < {prompt}",
        AgentFormat::kClaude, "claude", "2.1.0");
    agents["claude-code"] = agents["claude"];
    // codex exec waits for stdin when it is open: the prompt goes as an argument.
    agents["codex"] = agent(
        "codex exec --json --sandbox workspace-write --skip-git-repo-check \"$(cat {prompt})\" < /dev/null",
        "codex exec --json --sandbox workspace-write --skip-git-repo-check resume {session} "
        "\"$(cat {prompt})\" < /dev/null",
        AgentFormat::kCodex, "codex", "0.147.0");
    agents["opencode"] = agent("opencode run --format json \"$(cat {prompt})\" < /dev/null",
                               "opencode run --session {session} --format json \"$(cat {prompt})\" < /dev/null",
                               AgentFormat::kOpencode, "opencode", "1.0.0");
    return agents;
  }();
  return kAgents;
}

std::optional<AgentSpec> FindAgent(const std::map<std::string, AgentSpec>& configured,
                                   const std::string& type) {
  if (auto found = configured.find(type); found != configured.end()) {
    if (found->second.command.empty()) return std::nullopt;
    return found->second;
  }
  if (type == "shell") return std::nullopt;
  if (auto found = BuiltinAgents().find(type); found != BuiltinAgents().end()) return found->second;
  return std::nullopt;
}

bool IsKnownAgentType(const std::map<std::string, AgentSpec>& configured, const std::string& type) {
  return type == "shell" || configured.count(type) > 0 || BuiltinAgents().count(type) > 0;
}

std::string KnownAgentTypes(const std::map<std::string, AgentSpec>& configured) {
  std::set<std::string> names{"shell"};
  for (const auto& [name, spec] : BuiltinAgents()) names.insert(name);
  for (const auto& [name, spec] : configured) names.insert(name);
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace wsfleet::worker
