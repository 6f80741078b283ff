#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "worker/agent_stream.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// Limits on one agent run; 0: none. Tokens count what the model read and wrote.
struct AgentBudget {
  uint64_t turns = 0;
  uint64_t tokens = 0;
  double dollars = 0;
};

// Turns an agent's stdout into AgentReport events as its totals change (at most one a
// second while it runs, and the final totals when it ends), and says once when the
// totals pass the budget. Times come from `time`. The agent step's thread only.
class AgentReporter {
 public:
  using Emit = std::function<void(v1::Event)>;
  using OverBudget = std::function<void(const std::string& why)>;
  AgentReporter(std::string agent_type, AgentFormat format, AgentBudget budget, Emit emit,
                OverBudget over_budget, std::function<int()> pid = {},
                const common::TimeSource& time = common::SystemTime());

  // The attempt resumes a session that had reported this much before it.
  void ResumedFrom(const SessionBaseline& baseline) { baseline_ = baseline; }
  void OnStdout(std::string_view data);
  void Finish();
  // This attempt's share (see ThisAttempt).
  AgentUsage usage() const { return ThisAttempt(format_, parser_.usage(), baseline_); }
  // Why the budget stopped the agent; empty if it did not.
  const std::string& budget_stop() const { return budget_stop_; }

 private:
  void Changed();
  void Send();

  std::string agent_type_;
  AgentFormat format_;
  AgentStreamParser parser_;
  SessionBaseline baseline_;
  AgentBudget budget_;
  Emit emit_;
  OverBudget over_budget_;
  std::function<int()> pid_;
  const common::TimeSource& time_;
  common::SteadyTime started_;
  common::SteadyTime last_sent_{};
  bool unsent_ = false;
  std::string budget_stop_;
};

// The first limit `usage` passes, as "2150000 tokens > budget 2000000"; empty if none.
std::string BudgetExceeded(const AgentUsage& usage, const AgentBudget& budget);

}  // namespace wsfleet::worker
