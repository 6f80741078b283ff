#include "coordinator/plan_budget.h"

#include <cstdio>

#include "coordinator/agent_spend.h"

namespace wsfleet::coordinator {

std::optional<std::string> PlanBudget::Record(const std::string& attempt_id,
                                              const v1::AgentReport& report) {
  v1::AgentReport& last = last_[attempt_id];
  AddAgentSpend(spent_, last, -1);
  AddAgentSpend(spent_, report, +1);
  last = report;
  if (!stop_reason_.empty()) return std::nullopt;
  std::optional<std::string> why = Exceeded();
  if (why) stop_reason_ = *why;
  return why;
}

void PlanBudget::Reset() {
  last_.clear();
  spent_ = v1::AgentReport();
  stop_reason_.clear();
}

std::optional<std::string> PlanBudget::Exceeded() const {
  if (!limit_) return std::nullopt;
  const common::Workstream::Budget& budget = *limit_;
  uint64_t tokens = spent_.input_tokens() + spent_.output_tokens();
  char why[160] = "";
  if (budget.tokens > 0 && tokens > budget.tokens) {
    std::snprintf(why, sizeof why, "%llu tokens > plan budget %llu",
                  static_cast<unsigned long long>(tokens),
                  static_cast<unsigned long long>(budget.tokens));
  } else if (budget.turns > 0 && spent_.turns() > budget.turns) {
    std::snprintf(why, sizeof why, "%llu turns > plan budget %llu",
                  static_cast<unsigned long long>(spent_.turns()),
                  static_cast<unsigned long long>(budget.turns));
  } else if (budget.dollars > 0 && spent_.cost_usd() > budget.dollars) {
    std::snprintf(why, sizeof why, "$%.2f > plan budget $%.2f", spent_.cost_usd(), budget.dollars);
  }
  if (why[0] == '\0') return std::nullopt;
  return std::string(why);
}

}  // namespace wsfleet::coordinator
