#pragma once

#include <cstdint>
#include <string>

#include "coordinator/run_reader.h"

namespace wsfleet::coordinator {

// A workstream's COMPLETION_SUMMARY.md in the seed template's "Completion Summary" shape,
// from a read-only view of it: a pure function.
std::string RenderSummary(const RunView& view, const std::string& plan_id);

// "12.3 s" between two Unix millisecond times, or "-" when either is missing.
std::string ElapsedText(int64_t from_ms, int64_t to_ms);

}  // namespace wsfleet::coordinator
