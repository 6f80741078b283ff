#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace wsfleet::common {

// A piece of a card file: its text and the file's line number of its first line.
struct CardPiece {
  std::string_view text;
  int first_line = 1;
};

// Cuts a file holding many cards into pieces of about `piece_bytes` each, so that they are
// parsed apart (a tree per piece, not one of the whole file; on every core) yet read as the
// whole file would be. A cut falls only before an ATX heading that names a workstream, at
// the shallowest level such a heading has in the file, outside fenced code, and never
// before the file's first such heading. The markdown that could make a piece read otherwise
// than as part of the whole is left uncut: a file with an HTML block (its end may lie
// beyond a cut) or a link reference definition (it applies to the whole document) is one
// piece. The parse checks what this text scan cannot (see JoinCardPieces).
std::vector<CardPiece> CutCardText(std::string_view text, size_t piece_bytes);

}  // namespace wsfleet::common
