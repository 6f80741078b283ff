#pragma once

#include <map>
#include <string>
#include <vector>

#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

// Adds `report`'s turns, tool calls, tokens and cost to `sum` (sign +1), or takes them off
// (sign -1, never below zero). `sum` keeps its own type, session and pid.
void AddAgentSpend(v1::AgentReport& sum, const v1::AgentReport& report, int sign = +1);

// Each attempt's latest agent report, summed over `attempt_ids` (those without a report count
// nothing); only those of `session` where it is not empty.
v1::AgentReport SumAgentReports(const std::map<std::string, v1::AgentReport>& reports,
                                const std::vector<std::string>& attempt_ids, const std::string& session = "");

}  // namespace wsfleet::coordinator
