#pragma once

#include <map>
#include <optional>
#include <string>

#include "common/workstream.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

// What all of a plan's agents spent (tokens, turns, dollars) and whether that is past the
// plan's budget. Reports carry each attempt's totals so far; the plan's spend is the sum
// of every attempt's latest report. Loop thread only.
class PlanBudget {
 public:
  // No limit: spending is only summed.
  explicit PlanBudget(std::optional<common::Workstream::Budget> limit) : limit_(limit) {}

  // Takes an attempt's latest report. Returns why the plan just went past its budget, once;
  // afterwards stop_reason() keeps saying it.
  std::optional<std::string> Record(const std::string& attempt_id, const v1::AgentReport& report);
  void Reset();

  const v1::AgentReport& spent() const { return spent_; }
  const std::string& stop_reason() const { return stop_reason_; }

 private:
  std::optional<std::string> Exceeded() const;

  std::optional<common::Workstream::Budget> limit_;
  std::map<std::string, v1::AgentReport> last_;  // by attempt
  v1::AgentReport spent_;
  std::string stop_reason_;  // empty while the budget holds
};

}  // namespace wsfleet::coordinator
