#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ui/plan_page_source.h"
#include "wsfleet/v1/control.pb.h"

// The plan page's JSON: what its script reads from /api/graph (the DAG, once) and from
// /api/events (each node's state, as it changes). Short keys: a plan of 1,000 workstreams
// is sent whole at each change.
namespace wsfleet::ui {

// {plan, name, nodes: [{id, name, deps, priority, duration, agent, gpus}], critical}
nlohmann::ordered_json GraphJson(const PageGraph& graph);

// The critical path still ahead: from the unfinished workstream with the longest chain to
// the end (by the cards' upper estimates) along its longest chain. Once the plan is done,
// the whole plan's critical path (what was critical).
std::vector<std::string> RemainingCriticalPath(const PageGraph& graph, const v1::RunStatus& status);

// {plan, done, succeeded, eta, sent, counts: {STATE: n}, critical,
//  ws: [{id, s: state, w: worker, a: attempts, t0: started, t1: finished, m: message,
//        l: last output line, tests: [passed, failed, skipped]}]}
// `sent_unix_ms`: when it leaves, for the page to tell how late it is.
nlohmann::ordered_json LiveJson(const PageGraph& graph, const v1::RunStatus& status, int64_t sent_unix_ms);

// {workstream: (as status -o json), summary: markdown or null, log: its tail or null}
nlohmann::ordered_json DetailJson(const WorkstreamDetail& detail, size_t log_tail_bytes);

}  // namespace wsfleet::ui
