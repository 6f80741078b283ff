#pragma once

#include "wsfleet/v1/types.pb.h"

// Short upper-case names of the protocol's enums, as users read them.
namespace wsfleet::rpc {

const char* StateName(v1::WorkstreamState state);      // "SUCCEEDED"
const char* OutcomeName(v1::AttemptOutcome outcome);   // "TIMED_OUT"

}  // namespace wsfleet::rpc
