#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"

// Coverage from the reports real tools write: Cobertura XML (gcovr --xml, coverage.py
// `coverage xml`), lcov .info (lcov, llvm-cov export -format=lcov, cargo-llvm-cov,
// coverage.py `coverage lcov`), coverage.py JSON, gcovr JSON (--json and --json-summary).
// They become the metrics coverage_line_percent and coverage_branch_percent, which
// criteria such as "Test coverage ≥ 80%" are judged by.
namespace wsfleet::worker {

struct Coverage {
  std::string format;  // cobertura | lcov | coverage.py | gcovr
  double line_percent = 0;
  std::optional<double> branch_percent;  // when the report counts branches
};

// The coverage a report holds, recognised by its content (`name` helps only for lcov,
// whose text has no header); an error for anything that is not one of the formats above.
absl::StatusOr<Coverage> ParseCoverageReport(std::string_view name, std::string_view text);

// Whether a file's name says it may be a coverage report: coverage.xml, cobertura*.xml,
// *.info, lcov*, coverage*.json, gcovr*.json, .coverage.json.
bool LooksLikeCoverageReport(const std::filesystem::path& file);

// The newest coverage report written since `since` (the attempt's start): among the
// report paths the steps' `scripts` name (`gcovr --xml coverage.xml`, `coverage json -o
// out/cov.json`) when they name any; else, in a workspace that is the attempt's own (a
// worktree), anywhere under it (bounded walk; .git and node_modules skipped); else none:
// in a shared workdir another workstream's report may be lying there. Only inside the
// workspace.
std::optional<Coverage> FindCoverage(const std::string& workspace, common::WallTime since,
                                     const std::vector<std::string>& scripts, bool private_workspace);

}  // namespace wsfleet::worker
