#pragma once

#include "common/workstream.h"
#include "coordinator/run_reader.h"
#include "coordinator/verdict.h"
#include "coordinator/workstream_facts.h"
#include "wsfleet/v1/control.pb.h"

namespace wsfleet::coordinator {

// How wsfleet checked a workstream, as `status -o json` and report.json show it (the
// summary says the same in prose): each criterion's verdict with the metric and value it
// was judged by, each deliverable, coverage, and the reasons it is not done. A pure
// function of the card and what its attempt reported.
v1::Verification VerificationOf(const common::Workstream& card, const WorkstreamFacts& facts, Verification fleet);

// Fills WorkstreamStatus.verification for each workstream whose attempt ended (SUCCEEDED
// or FAILED after running); the rest have nothing checked to show.
void AddVerification(const RunReader& run, v1::RunStatus& status);
// The same for one: `ws` is the status of the plan's workstream at `index`.
void AddVerificationOf(const RunReader& run, int index, v1::WorkstreamStatus& ws);

}  // namespace wsfleet::coordinator
