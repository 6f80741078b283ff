#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "common/card_cuts.h"
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

// A file past this size holding many cards is parsed in pieces (see card_cuts.h).
inline constexpr size_t kCardPieceBytes = size_t{64} << 10;

// Reads one markdown file (already checked to be UTF-8) into workstreams. A file is
// either one card (an `**ID**:` field or one `# WS-01: Name` heading) or several
// `## WS-01: ...` sections. `file` names the file in locations. Thread-compatible.
ParsedDocument ParseCardDocument(std::string_view file, std::string_view text,
                                 size_t piece_bytes = kCardPieceBytes);

// The same, never cut: what a file's pieces fall back to.
ParsedDocument ParseWholeCardDocument(std::string_view file, std::string_view text);

// The parse of one piece of a file (CutCardText), with what joining the pieces checks.
struct CardPieceParse {
  ParsedDocument document;
  bool completion_summary = false;
  bool single_card = false;        // the piece reads as one card
  bool skipped_template = false;
  int opening_id_heading = 0;      // the level of an ID heading on its first line, else 0
  int shallowest_id_heading = 7;   // the lowest level of its ID headings (7: none)
};

// `first`: the file's first piece (what makes a file a completion summary is there).
CardPieceParse ParseCardPiece(std::string_view file, const CardPiece& piece, bool first);

// The file's document from its pieces' parses, in order; nothing when the pieces did not
// read as the whole file would (then parse it whole): every piece after the first must
// open with an ID heading at the level it was cut at, none shallower anywhere, and the
// first must not read as a single card.
std::optional<ParsedDocument> JoinCardPieces(std::vector<CardPieceParse> pieces);

}  // namespace wsfleet::common
