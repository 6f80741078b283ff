#include "common/workstream.h"

namespace wsfleet::common {

const char* StatusName(WorkstreamStatus status) {
  switch (status) {
    case WorkstreamStatus::kNotStarted: return "Not Started";
    case WorkstreamStatus::kReady: return "Ready";
    case WorkstreamStatus::kInProgress: return "In Progress";
    case WorkstreamStatus::kBlocked: return "Blocked";
    case WorkstreamStatus::kCompleted: return "Completed";
  }
  return "Unknown";
}

const char* CompareOpSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kLess: return "<";
    case CompareOp::kLessEqual: return "<=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kGreaterEqual: return ">=";
    case CompareOp::kEqual: return "==";
    case CompareOp::kNotEqual: return "!=";
  }
  return "?";
}

std::string PriorityName(const std::optional<int>& priority) {
  return priority ? "P" + std::to_string(*priority) : "-";
}

}  // namespace wsfleet::common
