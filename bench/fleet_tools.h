#pragma once

#include <string>

// Helpers for bench/fleet_bench.sh, run as modes of wsfleet_bench.
namespace wsfleet::bench {

// Writes DIR/plan.md (N workstreams as `## WS-n` sections, each step `touch out/WS-n`)
// and DIR/build.ninja (the same DAG, the same command per node), from a random DAG in
// which each node depends on up to 3 of the 50 before it (seeded: the same every run),
// or, with `chain`, each node on the one before.
int WriteFleetDag(int count, const std::string& dir, bool chain);

// Dispatch latency from a finished run's store: for each workstream with dependencies,
// its attempt's start minus the last of its dependencies' finishes (worker clocks on one
// host). Prints count, p50, p99 and max in milliseconds.
int PrintDispatchLatency(const std::string& state_dir);

}  // namespace wsfleet::bench
