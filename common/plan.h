#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/card_parser.h"
#include "common/dag.h"
#include "common/diagnostic.h"
#include "common/workstream.h"

namespace wsfleet::common {

// A file's path (as it appears in locations) and its text.
struct SourceFile {
  std::string path;
  std::string text;
};

// A file that was read but holds no workstream, and why.
struct IgnoredFile {
  std::string file;
  DocumentKind kind;
};

// A validated set of workstreams with its dependency graph. Built once by the plan
// loader, then read-only: safe to share between threads.
struct Plan {
  std::vector<Workstream> workstreams;  // sorted by ID, each ID once
  // The files that held workstreams, with their text as it was read and parsed: what a
  // coordinator is submitted, so a file edited after the plan was checked is never
  // submitted unchecked. None when loaded without them (LoadOptions::keep_sources).
  std::vector<SourceFile> sources;
  std::vector<IgnoredFile> ignored;
  PlanGraph graph;
  PlanAnalysis analysis;
  Diagnostics diagnostics;

  bool ok() const { return !diagnostics.has_errors(); }
  // Index into `workstreams`, or nullopt.
  std::optional<int> IndexOf(WorkstreamId id) const;
  // The same for an ID as text (`WS-1`, `ws-01`); nullopt also when it is no ID.
  std::optional<int> IndexOf(std::string_view id) const;
};

}  // namespace wsfleet::common
