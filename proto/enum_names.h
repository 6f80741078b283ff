#pragma once

#include <string>

#include "wsfleet/v1/types.pb.h"

// Short upper-case names of the protocol's enums, as users read them.
namespace wsfleet::rpc {

const char* StateName(v1::WorkstreamState state);      // "SUCCEEDED"
const char* OutcomeName(v1::AttemptOutcome outcome);   // "TIMED_OUT"

// The same in lower case, as metric label values: "succeeded", "timed_out".
std::string StateLabel(v1::WorkstreamState state);
std::string OutcomeLabel(v1::AttemptOutcome outcome);
// How a step ended, as a label: "ok", "failed", "killed" (by a signal), "timed_out",
// "hung" (no output for its hang timeout).
const char* StepResultLabel(const v1::StepFinished& step);
const char* StreamLabel(v1::LogChunk::Stream stream);  // "stdout" | "stderr"

// Whether a workstream in `state` is over (nothing more runs for it unless retried).
bool Ended(v1::WorkstreamState state);

}  // namespace wsfleet::rpc
