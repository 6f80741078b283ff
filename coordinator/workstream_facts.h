#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wsfleet/v1/control.pb.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

// What a workstream's current attempt has reported: built from its events alone, by the
// one Apply() that runs both on live events and when a restarted coordinator replays the
// store, so that both see the same view. A plain value; the loop thread owns it.
struct WorkstreamFacts {
  v1::TestCounts tests;
  // Of those, the ones whose step said it runs unit or integration tests.
  v1::TestCounts unit_tests;
  v1::TestCounts integration_tests;
  std::vector<std::string> failed_tests;  // "suite.name" of the first failed or errored ones
  std::map<std::string, double> metrics;
  std::map<std::string, bool> deliverables;  // path -> found
  std::map<std::string, uint64_t> deliverable_lines;  // path -> lines, for the files counted
  std::optional<v1::AgentReport> agent;      // as it last reported
  std::string merged_commit;                 // the integration branch's commit after its merge
  std::map<std::string, std::string> rendezvous;  // what the gang's ranks put, first value stands
  std::string failure_tail;  // the end of a failed attempt's output, from its worker
  uint64_t output_dropped_bytes = 0;  // its steps' output over the cap, not kept

  // Takes in one event of the attempt. Returns true when it put a new rendezvous value,
  // which the gang's other ranks must be sent.
  bool Apply(const v1::Event& event);

 private:
  v1::TestCounts* KindCounts(const std::string& kind);
};

}  // namespace wsfleet::coordinator
