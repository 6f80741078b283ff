#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/workstream_id.h"

namespace wsfleet::common {

// What one piece of dependency text names.
struct DependencyText {
  std::vector<WorkstreamId> ids;  // in order, ranges expanded, no duplicates
  // IDs that appear only inside an annotation ("WS-05 (not before WS-04 lands)") or after
  // "None": mentioned, but not dependencies. Reported as warnings by the caller.
  std::vector<WorkstreamId> mentioned_only;
  bool none = false;         // "None", "None (foundation workstream)", "N/A", "-"
  bool placeholder = false;  // "WS-XX, WS-YY": a template
  std::vector<std::string> problems;  // e.g. a range too large to expand
};

// The largest range `WS-a through WS-b` that is expanded; larger ones are reported.
inline constexpr int kMaxRangeLength = 1000;

// Reads a dependency list written by a person: "WS-01", "WS-02, WS-03",
// "WS-04 (Rendering), WS-03 (Input)", "WS-09 through WS-16", "WS-09..WS-16",
// "WS-09 to WS-16", "WS-09–WS-16", "All screens (WS-09 through WS-16)". Text in
// parentheses right after an ID annotates that ID; IDs inside it are not dependencies.
DependencyText ParseDependencyText(std::string_view text);

// The part of a "Blocked By" list item that names the dependency: the text before the
// reason (": reason", " - reason"). "WS-02: Name - reason" -> "WS-02".
std::string_view DependencyHead(std::string_view item_text);

}  // namespace wsfleet::common
