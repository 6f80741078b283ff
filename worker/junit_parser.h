#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "worker/output_parsers.h"

namespace wsfleet::worker {

// Test cases from a JUnit XML report (<testsuites>/<testsuite>/<testcase>, with
// <failure>, <error> or <skipped> children). An error for text that is not such a report.
absl::StatusOr<std::vector<ParsedTest>> ParseJUnitXml(std::string_view xml);

}  // namespace wsfleet::worker
