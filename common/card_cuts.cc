#include "common/card_cuts.h"

#include <algorithm>
#include <optional>

namespace wsfleet::common {
namespace {

// One line of the text, without its line ending.
struct Line {
  std::string_view text;
  size_t offset;  // of the line's first byte in the text
};

// The line's indentation in columns when it is only spaces (a tab makes it 4 or more:
// indented code, never a heading or a fence at the top level).
size_t Indent(std::string_view line) {
  size_t spaces = 0;
  while (spaces < line.size() && line[spaces] == ' ') ++spaces;
  if (spaces < line.size() && line[spaces] == '\t') return 4;
  return spaces;
}

// A fence's opening or closing line: its character and length.
struct Fence {
  char mark;
  size_t length;
};

std::optional<Fence> FenceOf(std::string_view line) {
  size_t indent = Indent(line);
  if (indent > 3) return std::nullopt;
  std::string_view rest = line.substr(indent);
  if (rest.empty() || (rest[0] != '`' && rest[0] != '~')) return std::nullopt;
  size_t length = rest.find_first_not_of(rest[0]);
  if (length == std::string_view::npos) length = rest.size();
  if (length < 3) return std::nullopt;
  // A backtick fence's info string may not hold a backtick (that is inline code).
  if (rest[0] == '`' && rest.substr(length).find('`') != std::string_view::npos) return std::nullopt;
  return Fence{rest[0], length};
}

bool ClosesFence(std::string_view line, const Fence& open) {
  std::optional<Fence> fence = FenceOf(line);
  if (!fence || fence->mark != open.mark || fence->length < open.length) return false;
  std::string_view rest = line.substr(Indent(line) + fence->length);
  return rest.find_first_not_of(" \t") == std::string_view::npos;
}

// The level of an ATX heading whose text names a workstream ("## WS-03: ...", "# 🚀 WS-3"),
// else 0. The parse decides what the heading really is; this only finds where to look.
// Only at the margin: an indented heading may belong to a list item.
int IdHeadingLevel(std::string_view line) {
  std::string_view rest = line;
  size_t level = rest.find_first_not_of('#');
  if (level == std::string_view::npos) level = rest.size();
  if (level == 0 || level > 6 || level == rest.size() || (rest[level] != ' ' && rest[level] != '\t')) return 0;
  std::string_view title = rest.substr(level, 48);
  for (size_t i = 0; i + 3 < title.size(); ++i) {
    if ((title[i] == 'W' || title[i] == 'w') && (title[i + 1] == 'S' || title[i + 1] == 's') && title[i + 2] == '-') {
      return static_cast<int>(level);
    }
  }
  return 0;
}

// Markdown whose reach a cut could change: an HTML block's start (it may run past a cut)
// and a link reference or footnote definition (it applies to the whole document), looked
// for inside lists and quotes too.
bool ReachesAcrossCuts(std::string_view line) {
  if (Indent(line) <= 3 && line.substr(Indent(line)).starts_with('<')) return true;
  size_t start = line.find_first_not_of(" \t>*+-0123456789.)");
  return start != std::string_view::npos && line[start] == '[' && line.find("]:", start) != std::string_view::npos;
}

}  // namespace

std::vector<CardPiece> CutCardText(std::string_view text, size_t piece_bytes) {
  std::vector<CardPiece> whole = {{text, 1}};
  if (text.size() < 2 * piece_bytes) return whole;
  struct Candidate {
    size_t offset;
    int line;
    int level;
  };
  std::vector<Candidate> candidates;
  std::optional<Fence> fence;
  bool fence_indented = false;  // opened by an indented line: perhaps inside a list item
  int shallowest = 7;
  int number = 0;
  for (size_t offset = 0; offset < text.size();) {
    size_t end = text.find('\n', offset);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(offset, end - offset);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++number;
    // A lone carriage return ends a line for markdown, not here; and some markdown reaches
    // past where it stands (HTML blocks, link definitions), even from inside what this scan
    // takes for code.
    if (line.find('\r') != std::string_view::npos || ReachesAcrossCuts(line)) return whole;
    if (fence) {
      if (ClosesFence(line, *fence)) {
        fence.reset();
      } else if (fence_indented && Indent(line) == 0 && !line.empty()) {
        // A line at the margin inside a fence opened with an indent: inside the fence if
        // the fence stands at the top level, after it if the fence is in a list item.
        return whole;
      }
    } else if ((fence = FenceOf(line))) {
      fence_indented = Indent(line) > 0;
    } else if (int level = IdHeadingLevel(line); level > 0) {
      candidates.push_back({offset, number, level});
      shallowest = std::min(shallowest, level);
    }
    offset = end + 1;
  }
  std::vector<CardPiece> pieces;
  size_t start = 0;
  int start_line = 1;
  bool seen_first = false;
  for (const Candidate& candidate : candidates) {
    if (candidate.level != shallowest) continue;
    if (!seen_first) {  // the file's first card stays with what comes before it
      seen_first = true;
      continue;
    }
    if (candidate.offset - start < piece_bytes) continue;
    pieces.push_back({text.substr(start, candidate.offset - start), start_line});
    start = candidate.offset;
    start_line = candidate.line;
  }
  if (pieces.empty()) return whole;
  pieces.push_back({text.substr(start), start_line});
  return pieces;
}

}  // namespace wsfleet::common
