#pragma once

#include <string>
#include <vector>

#include "common/workstream.h"
#include "coordinator/state_store.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::coordinator {

// Everything that goes into one attempt's AttemptSpec besides the card itself.
struct AttemptSpecInputs {
  std::string plan_id;
  std::string prompt;                   // rendered from the card (RenderPrompt)
  std::vector<std::string> node_addrs;  // the gang's workers' host names, in rank order
  // A retry: the agent session to resume, and why the attempt before failed with the end
  // of its log.
  std::string resume_session;
  v1::AgentReport resume_baseline;
  std::string previous_failure;
  int64_t default_step_timeout_seconds = 0;  // for a card without `Timeout`
  bool write_back = false;
  // For a worker that appends output to the coordinator's logs itself; else empty.
  std::string log_path;
  std::string transcript_path;
};

// What a worker is sent to run `attempt` of `card`: a pure function of its inputs.
v1::AttemptSpec BuildAttemptSpec(const common::Workstream& card, const AttemptRow& attempt,
                                 const AttemptSpecInputs& inputs);

}  // namespace wsfleet::coordinator
