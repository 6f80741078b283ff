#include "enum_names.h"

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
    default: return "UNKNOWN";
  }
}

}  // namespace wsfleet::rpc
