#pragma once

#include <string>
#include <vector>

#include "common/workstream.h"

namespace wsfleet::coordinator {

// The prompt an agent gets for a workstream: its objective, deliverables, acceptance
// criteria and the exact steps wsfleet will run to judge the work.
// `dependencies`: the completion summaries of what this workstream builds on, so the agent
// starts from what they did and found.
std::string RenderPrompt(const common::Workstream& workstream, const std::string& plan_id,
                         const std::vector<std::string>& dependencies = {});

}  // namespace wsfleet::coordinator
