#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "worker/agents.h"

// Which agent CLIs a worker has, as labels for the coordinator to place agent cards by:
// `agent.claude=2.1.332` for each agent type it can run; `agent.codex.refused=0.120.0 <
// 0.147.0` for a CLI too old for wsfleet's template (not offered, and the coordinator says
// why when nothing else can run the card).
namespace wsfleet::worker {

// The first "1.2" or "1.2.3" in a CLI's --version output ("2.1.332 (Claude Code)",
// "codex-cli 0.171.0"); nothing if there is none.
std::optional<std::string> ParseVersion(std::string_view text);

// Numerically, part by part ("0.147.0" < "0.171.0"; missing parts are 0).
bool VersionAtLeast(const std::string& have, const std::string& need);

// Runs a version command; nothing if it failed or timed out.
using VersionProbe = std::function<std::optional<std::string>(const std::string& command)>;

// The command through bash, stdin closed, at most 10 s.
std::optional<std::string> RunVersionCommand(const std::string& command);

// The labels for every agent type known here (shipped and configured; not `shell` or an
// empty command). Each distinct version command is probed once, all of them at once; the
// checked ones that fail are left out, with `log` saying why. Unchecked (configured)
// commands are offered as `configured`.
std::map<std::string, std::string> AgentLabels(const std::map<std::string, AgentSpec>& configured,
                                               const VersionProbe& probe,
                                               const std::function<void(const std::string&)>& log);

}  // namespace wsfleet::worker
