#include "enum_names.h"

#include <algorithm>
#include <cctype>

namespace wsfleet::rpc {

const char* StateName(v1::WorkstreamState state) {
  switch (state) {
    case v1::WORKSTREAM_STATE_PENDING: return "PENDING";
    case v1::WORKSTREAM_STATE_READY: return "READY";
    case v1::WORKSTREAM_STATE_ASSIGNED: return "ASSIGNED";
    case v1::WORKSTREAM_STATE_RUNNING: return "RUNNING";
    case v1::WORKSTREAM_STATE_SUCCEEDED: return "SUCCEEDED";
    case v1::WORKSTREAM_STATE_FAILED: return "FAILED";
    case v1::WORKSTREAM_STATE_CANCELLED: return "CANCELLED";
    case v1::WORKSTREAM_STATE_BLOCKED: return "BLOCKED";
    case v1::WORKSTREAM_STATE_SKIPPED: return "SKIPPED";
    default: return "UNKNOWN";
  }
}

const char* OutcomeName(v1::AttemptOutcome outcome) {
  switch (outcome) {
    case v1::ATTEMPT_OUTCOME_SUCCEEDED: return "SUCCEEDED";
    case v1::ATTEMPT_OUTCOME_FAILED: return "FAILED";
    case v1::ATTEMPT_OUTCOME_CANCELLED: return "CANCELLED";
    case v1::ATTEMPT_OUTCOME_TIMED_OUT: return "TIMED_OUT";
    case v1::ATTEMPT_OUTCOME_LOST: return "LOST";
    case v1::ATTEMPT_OUTCOME_REVOKED: return "REVOKED";
    case v1::ATTEMPT_OUTCOME_HANDED_BACK: return "HANDED_BACK";
    default: return "UNKNOWN";
  }
}

namespace {
std::string Lower(const char* name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}
}  // namespace

std::string StateLabel(v1::WorkstreamState state) { return Lower(StateName(state)); }
std::string OutcomeLabel(v1::AttemptOutcome outcome) { return Lower(OutcomeName(outcome)); }

const char* StepResultLabel(const v1::StepFinished& step) {
  if (step.hung()) return "hung";
  if (step.timed_out()) return "timed_out";
  if (step.signal() != 0) return "killed";
  return step.exit_code() == 0 ? "ok" : "failed";
}

const char* StreamLabel(v1::LogChunk::Stream stream) {
  return stream == v1::LogChunk::STREAM_STDERR ? "stderr" : "stdout";
}

bool Ended(v1::WorkstreamState state) {
  return state == v1::WORKSTREAM_STATE_SUCCEEDED || state == v1::WORKSTREAM_STATE_FAILED ||
         state == v1::WORKSTREAM_STATE_CANCELLED || state == v1::WORKSTREAM_STATE_BLOCKED ||
         state == v1::WORKSTREAM_STATE_SKIPPED;
}

}  // namespace wsfleet::rpc
