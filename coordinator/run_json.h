#pragma once

#include <nlohmann/json.hpp>

#include <ostream>

#include "wsfleet/v1/control.pb.h"

// The JSON forms of the control API's answers: one vocabulary for `status -o json`,
// `workers -o json` and report.json. States are the short upper-case names
// ("SUCCEEDED"), times Unix milliseconds as numbers, counts numbers. Documented in
// docs/fleet.md ("JSON output").
namespace wsfleet::coordinator {

nlohmann::ordered_json AgentJson(const v1::AgentReport& agent);
nlohmann::ordered_json WorkstreamJson(const v1::WorkstreamStatus& workstream);
// `status -o json`, written as it is made: a large plan's status is never one JSON document
// in memory.
void WriteRunStatusJson(const v1::RunStatus& status, std::ostream& out);
nlohmann::ordered_json WorkersJson(const v1::ListWorkersResponse& workers);
// `wsfleet plans -o json`: every plan held, with its progress, share and spend.
nlohmann::ordered_json PlansJson(const v1::ListPlansResponse& plans);

}  // namespace wsfleet::coordinator
