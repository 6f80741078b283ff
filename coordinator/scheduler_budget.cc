// The plan budget: what all of a plan's agents may spend together. Reports carry each
// attempt's totals; the plan's spend is the sum of every attempt's latest report.

#include <cstdio>

#include "coordinator/scheduler.h"
#include "coordinator/scheduler_run.h"

namespace wsfleet::coordinator {
namespace {

void Add(v1::AgentReport& sum, const v1::AgentReport& report, int sign) {
  auto add = [sign](uint64_t total, uint64_t value) {
    return sign > 0 ? total + value : (total > value ? total - value : 0);
  };
  sum.set_turns(add(sum.turns(), report.turns()));
  sum.set_tool_calls(add(sum.tool_calls(), report.tool_calls()));
  sum.set_input_tokens(add(sum.input_tokens(), report.input_tokens()));
  sum.set_cached_input_tokens(add(sum.cached_input_tokens(), report.cached_input_tokens()));
  sum.set_output_tokens(add(sum.output_tokens(), report.output_tokens()));
  sum.set_cost_usd(sum.cost_usd() + sign * report.cost_usd());
}

}  // namespace

void Scheduler::AgentSpent(const std::string& attempt_id, const v1::AgentReport& report) {
  v1::AgentReport& last = agent_reports_[attempt_id];
  Add(plan_spent_, last, -1);
  Add(plan_spent_, report, +1);
  last = report;
  if (!options_.plan_budget || !plan_budget_stop_.empty()) return;
  const common::Workstream::Budget& budget = *options_.plan_budget;
  uint64_t tokens = plan_spent_.input_tokens() + plan_spent_.output_tokens();
  char why[160] = "";
  if (budget.tokens > 0 && tokens > budget.tokens) {
    std::snprintf(why, sizeof why, "%llu tokens > plan budget %llu", static_cast<unsigned long long>(tokens),
                  static_cast<unsigned long long>(budget.tokens));
  } else if (budget.turns > 0 && plan_spent_.turns() > budget.turns) {
    std::snprintf(why, sizeof why, "%llu turns > plan budget %llu",
                  static_cast<unsigned long long>(plan_spent_.turns()),
                  static_cast<unsigned long long>(budget.turns));
  } else if (budget.dollars > 0 && plan_spent_.cost_usd() > budget.dollars) {
    std::snprintf(why, sizeof why, "$%.2f > plan budget $%.2f", plan_spent_.cost_usd(), budget.dollars);
  }
  if (why[0] != '\0') StopForPlanBudget(why);
}

void Scheduler::StopForPlanBudget(const std::string& why) {
  plan_budget_stop_ = why;
  halted_ = true;  // nothing new starts
  for (size_t i = 0; i < runs_.size(); ++i) {
    int index = static_cast<int>(i);
    Run& run = runs_[i];
    v1::WorkstreamState state = run.row.state;
    if (state == v1::WORKSTREAM_STATE_PENDING || state == v1::WORKSTREAM_STATE_READY) {
      Finish(index, v1::WORKSTREAM_STATE_CANCELLED, "the plan's budget is spent: " + why);
    } else if ((state == v1::WORKSTREAM_STATE_ASSIGNED || state == v1::WORKSTREAM_STATE_RUNNING) &&
               !run.cancel_requested) {
      run.cancel_requested = true;
      CancelRanks(index, "the plan's budget is spent: " + why);
    }
  }
}

}  // namespace wsfleet::coordinator
