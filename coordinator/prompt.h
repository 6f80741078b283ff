#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/workstream.h"

namespace wsfleet::coordinator {

// What an agent's prompt holds besides its card.
struct PromptInputs {
  // The completion summaries of what this workstream builds on: its starting point.
  std::vector<std::string> dependency_summaries;
  // Its soft dependencies, in the card's order: each one's summary if it has finished.
  struct Soft {
    std::string id;
    std::string name;
    std::string summary;  // empty: not finished
  };
  std::vector<Soft> soft;
  // The prompt stays within this; what does not fit is left out and named. codex and
  // opencode take the prompt as one argument, which Linux caps at 128 KiB; the worker adds
  // a retry's failure (a few KiB) after this.
  size_t max_bytes = 96 * 1024;
};

// The prompt an agent gets for a workstream, in this order: its ID, plan and card; the
// objective, deliverables and acceptance criteria; the card's Technical Requirements,
// Implementation Plan, Known Issues & Risks and Integration Points as written; what its
// dependencies did; its soft dependencies; the exact steps wsfleet will run to judge the
// work. The card's parts and the steps are always there; the rest, in that order, as long
// as it fits in max_bytes, and a closing section names what was left out.
std::string RenderPrompt(const common::Workstream& workstream, const std::string& plan_id,
                         const PromptInputs& inputs = {});

}  // namespace wsfleet::coordinator
