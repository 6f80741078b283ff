#include "worker/agent_reporter.h"

#include <cstdio>

namespace wsfleet::worker {

std::string BudgetExceeded(const AgentUsage& usage, const AgentBudget& budget) {
  uint64_t tokens = usage.input_tokens + usage.output_tokens;
  if (budget.turns > 0 && usage.turns > budget.turns) {
    return std::to_string(usage.turns) + " turns > budget " + std::to_string(budget.turns);
  }
  if (budget.tokens > 0 && tokens > budget.tokens) {
    return std::to_string(tokens) + " tokens > budget " + std::to_string(budget.tokens);
  }
  if (budget.dollars > 0 && usage.cost_reported && usage.cost_usd > budget.dollars) {
    char text[96];
    std::snprintf(text, sizeof text, "$%.2f > budget $%.2f", usage.cost_usd, budget.dollars);
    return text;
  }
  return "";
}

AgentReporter::AgentReporter(std::string agent_type, AgentFormat format, AgentBudget budget,
                             Emit emit, OverBudget over_budget, std::function<int()> pid,
                             const common::TimeSource& time)
    : agent_type_(std::move(agent_type)),
      format_(format),
      parser_(format),
      budget_(budget),
      emit_(std::move(emit)),
      over_budget_(std::move(over_budget)),
      pid_(std::move(pid)),
      time_(time),
      started_(time.Now()) {}

void AgentReporter::OnStdout(std::string_view data) {
  if (parser_.Feed(data)) Changed();
}

void AgentReporter::Finish() {
  parser_.Finish();
  Send();  // always: the final totals carry how long the agent ran
}

void AgentReporter::Changed() {
  unsent_ = true;
  if (budget_stop_.empty()) {
    budget_stop_ = BudgetExceeded(usage(), budget_);
    if (!budget_stop_.empty()) {
      Send();  // the totals that broke the budget are on record before the stop
      over_budget_(budget_stop_);
      return;
    }
  }
  if (time_.Now() - last_sent_ >= std::chrono::seconds(1)) Send();
}

void AgentReporter::Send() {
  const AgentUsage usage = this->usage();
  v1::Event event;
  v1::AgentReport& report = *event.mutable_agent();
  report.set_agent_type(agent_type_);
  report.set_session_id(usage.session_id);
  report.set_turns(usage.turns);
  report.set_tool_calls(usage.tool_calls);
  report.set_input_tokens(usage.input_tokens);
  report.set_cached_input_tokens(usage.cached_input_tokens);
  report.set_output_tokens(usage.output_tokens);
  report.set_cost_usd(usage.cost_usd);
  report.set_cost_reported(usage.cost_reported);
  report.set_error(usage.error);
  if (pid_) report.set_pid(static_cast<uint32_t>(pid_()));
  common::SteadyTime now = time_.Now();
  report.set_wall_seconds(std::chrono::duration<double>(now - started_).count());
  emit_(std::move(event));
  last_sent_ = now;
  unsent_ = false;
}

}  // namespace wsfleet::worker
