#pragma once

#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "common/workstream.h"

namespace wsfleet::common {

enum class DocumentKind {
  kCards,              // holds one or more workstreams
  kCompletionSummary,  // a result (COMPLETION_SUMMARY.md or "... Completion Summary")
  kTemplate,           // only placeholder IDs (WS-XX) or names ([Workstream Name])
  kNotACard,           // no workstream ID at all: other documentation
};

const char* DocumentKindName(DocumentKind kind);

struct ParsedDocument {
  DocumentKind kind = DocumentKind::kNotACard;
  std::vector<Workstream> workstreams;
  Diagnostics diagnostics;
};

// Reads one markdown file (already checked to be UTF-8) into workstreams. A file is
// either one card (an `**ID**:` field or one `# WS-01: Name` heading) or several
// `## WS-01: ...` sections. `file` names the file in locations. Thread-compatible.
ParsedDocument ParseCardDocument(std::string_view file, std::string_view text);

}  // namespace wsfleet::common
