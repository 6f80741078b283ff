#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/plan.h"

namespace wsfleet::common {

struct LoadOptions {
  // Larger files are refused with an error rather than parsed.
  size_t max_file_bytes = size_t{64} << 20;
  // 0: one per hardware thread.
  unsigned parse_threads = 0;
  // Keep the card files' text in Plan::sources (what a coordinator is submitted); a
  // command that only reads the plan spares the memory.
  bool keep_sources = true;
};

// Reads a plan from files and folders. A folder is walked recursively for *.md and
// *.markdown files (hidden entries skipped); a file is read whatever its name. Every
// problem (unreadable file, invalid UTF-8, unknown dependency, cycle, duplicate ID) is
// collected in plan.diagnostics; nothing throws.
Plan LoadPlan(const std::vector<std::string>& paths, const LoadOptions& options = {});

// The same from text already in memory (tests, benchmarks, fuzzing).
Plan AssemblePlan(const std::vector<SourceFile>& sources, const LoadOptions& options = {});
// The same, taking the texts rather than copying them (a large plan's submission).
Plan AssemblePlan(std::vector<SourceFile>&& sources, const LoadOptions& options = {});

// A plan from workstreams parsed before (a coordinator's stored plan) and the texts they
// came from: the graph, its checks and its analysis, without parsing the texts again.
Plan AssembleParsed(std::vector<Workstream> workstreams, std::vector<SourceFile> sources);

}  // namespace wsfleet::common
