#pragma once

#include <map>
#include <string>

#include "common/diagnostic.h"
#include "common/plan.h"
#include "worker/agents.h"

namespace wsfleet::cli {

// A diagnostic (of `severity`) at each card whose **Agent Type** is no agent wsfleet knows
// here (IsKnownAgentType): no agent would run for it, and its steps alone would pass for
// its work. Returns how many.
int CheckAgentTypes(const common::Plan& plan, const std::map<std::string, worker::AgentSpec>& configured,
                    common::Severity severity, common::Diagnostics& out);

}  // namespace wsfleet::cli
