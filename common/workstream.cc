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

namespace wsfleet::common {

const CardNotes Workstream::kNoNotes;

bool CardNotes::empty() const {
  return status_text.empty() && status_where.file.empty() && status_where.line == 0 && milestone.empty() &&
         orchestrator.empty() && agent_type_where.file.empty() && agent_type_where.line == 0 && objective.empty() &&
         known_issues.empty() && checklist.empty() && technical_requirements.empty() &&
         implementation_plan.empty() && risks.empty() && integration_points.empty();
}

CardNotes& Workstream::mutable_notes() {
  if (!notes_.notes) notes_.notes = std::make_unique<CardNotes>();
  return *notes_.notes;
}

Workstream::NotesPointer::NotesPointer(const NotesPointer& other)
    : notes(other.notes ? std::make_unique<CardNotes>(*other.notes) : nullptr) {}

Workstream::NotesPointer& Workstream::NotesPointer::operator=(const NotesPointer& other) {
  if (this != &other) notes = other.notes ? std::make_unique<CardNotes>(*other.notes) : nullptr;
  return *this;
}

}  // namespace wsfleet::common
