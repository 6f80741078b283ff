#pragma once

#include <string>

#include "common/workstream.h"

namespace wsfleet::coordinator {

// The prompt an agent gets for a workstream: its objective, deliverables, acceptance
// criteria and the exact steps wsfleet will run to judge the work.
std::string RenderPrompt(const common::Workstream& workstream, const std::string& plan_id);

}  // namespace wsfleet::coordinator
