#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "worker/agent_stream.h"

// Which command runs a card's agent: the config's `agents:` entries, else the templates
// wsfleet ships for the headless coding-agent CLIs.
namespace wsfleet::worker {

struct AgentSpec {
  // Run with bash in the workspace, before the card's steps; {prompt}, {card},
  // {workspace}, {id} and {attempt} are replaced by shell-quoted values.
  std::string command;
  // A retry of an attempt whose agent reported a session resumes it with this instead
  // (with {session} too); empty: a retry starts a fresh session.
  std::string resume;
  AgentFormat format = AgentFormat::kNone;  // how its stdout reports usage
  // An agent silent this long (no output, so no event) is stalled: killed and recorded.
  std::chrono::seconds idle_timeout{15 * 60};
  // How a worker learns which version of the CLI it has (`claude --version`), and the
  // oldest its command's flags are known to work with; empty: not checked (a configured
  // command of the user's own).
  std::string version_command;
  std::string min_version;
};

// claude (alias claude-code), codex, opencode. `shell` is no agent: the card's steps are
// the work.
const std::map<std::string, AgentSpec>& BuiltinAgents();

// The agent for a card's agent type: the configured one, else a shipped one; nothing for
// `shell` and for types neither knows (the card's own steps are then the work).
std::optional<AgentSpec> FindAgent(const std::map<std::string, AgentSpec>& configured,
                                   const std::string& type);

// Whether a card's agent type means something here: `shell`, a shipped agent, or one the
// config names (an agent of its own, or a role mapped to one: `backend-architect: claude`).
bool IsKnownAgentType(const std::map<std::string, AgentSpec>& configured, const std::string& type);

// "claude, claude-code, codex, opencode, shell" and the configured ones, sorted.
std::string KnownAgentTypes(const std::map<std::string, AgentSpec>& configured);

}  // namespace wsfleet::worker
