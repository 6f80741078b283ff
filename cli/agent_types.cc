#include "cli/agent_types.h"

namespace wsfleet::cli {

int CheckAgentTypes(const common::Plan& plan, const std::map<std::string, worker::AgentSpec>& configured,
                    common::Severity severity, common::Diagnostics& out) {
  int unknown = 0;
  for (const common::Workstream& ws : plan.workstreams) {
    if (ws.agent_type.empty() || worker::IsKnownAgentType(configured, ws.agent_type)) continue;
    ++unknown;
    std::string message = "**Agent Type**: '" + ws.agent_type + "' is no agent wsfleet knows (" +
                          worker::KnownAgentTypes(configured) + "): map it to one in the config's agents: (" +
                          ws.agent_type + ": claude), or no agent would run for " + ws.id.ToString();
    if (severity == common::Severity::kWarning) {
      out.Warn(ws.notes().agent_type_where, message);
    } else {
      out.Error(ws.notes().agent_type_where, message);
    }
  }
  return unknown;
}

}  // namespace wsfleet::cli
