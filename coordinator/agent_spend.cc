#include "coordinator/agent_spend.h"

namespace wsfleet::coordinator {

void AddAgentSpend(v1::AgentReport& sum, const v1::AgentReport& report, int sign) {
  auto add = [sign](uint64_t total, uint64_t value) {
    return sign > 0 ? total + value : (total > value ? total - value : 0);
  };
  sum.set_turns(add(sum.turns(), report.turns()));
  sum.set_tool_calls(add(sum.tool_calls(), report.tool_calls()));
  sum.set_input_tokens(add(sum.input_tokens(), report.input_tokens()));
  sum.set_cached_input_tokens(add(sum.cached_input_tokens(), report.cached_input_tokens()));
  sum.set_output_tokens(add(sum.output_tokens(), report.output_tokens()));
  sum.set_cost_usd(sum.cost_usd() + sign * report.cost_usd());
  if (sign > 0 && report.cost_reported()) sum.set_cost_reported(true);
  double wall = sum.wall_seconds() + sign * report.wall_seconds();
  sum.set_wall_seconds(wall > 0 ? wall : 0);
}

v1::AgentReport SumAgentReports(const std::map<std::string, v1::AgentReport>& reports,
                                const std::vector<std::string>& attempt_ids, const std::string& session) {
  v1::AgentReport sum;
  for (const std::string& id : attempt_ids) {
    auto found = reports.find(id);
    if (found == reports.end()) continue;
    if (!session.empty() && found->second.session_id() != session) continue;
    if (sum.agent_type().empty()) sum.set_agent_type(found->second.agent_type());
    AddAgentSpend(sum, found->second);
  }
  if (!session.empty()) sum.set_session_id(session);
  return sum;
}

}  // namespace wsfleet::coordinator
