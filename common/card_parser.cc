#include "common/card_parser.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/card_builder.h"
#include "common/markdown.h"
#include "common/text.h"

namespace wsfleet::common {
namespace {

bool IsCompletionSummary(std::string_view file, const std::vector<cmark_node*>& blocks) {
  std::string base = ToLower(std::filesystem::path(file).filename().string());
  if (base == "completion_summary.md") return true;
  for (cmark_node* block : blocks) {
    if (IsHeading(block)) return Contains(ToLower(InlineText(block)), "completion summary");
  }
  return false;
}

// True when a paragraph in blocks[begin, end) carries an `**ID**:` field.
bool HasIdField(const std::vector<cmark_node*>& blocks, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (!IsParagraph(blocks[i])) continue;
    for (const InlineLine& line : InlineLines(blocks[i])) {
      Field field;
      if (ParseFieldLine(line, field) && NormalizeHeading(field.key) == "id") return true;
    }
  }
  return false;
}

// True when a paragraph in blocks[begin, end) carries a field only a card has (ID,
// Dependencies, Duration, Priority, ...): what makes a heading naming a workstream a card
// of its own rather than a section of the card around it.
bool HasCardFields(const std::vector<cmark_node*>& blocks, size_t begin, size_t end) {
  static const std::set<std::string> kCardKeys = {
      "id",       "dependencies", "depends on", "duration",     "estimate",     "estimated duration",
      "priority", "agent type",   "agent",      "orchestrator", "milestone",    "soft dependencies"};
  for (size_t i = begin; i < end; ++i) {
    if (!IsParagraph(blocks[i])) continue;
    for (const InlineLine& line : InlineLines(blocks[i])) {
      Field field;
      if (ParseFieldLine(line, field) && kCardKeys.count(NormalizeHeading(field.key)) > 0) return true;
    }
  }
  return false;
}

// The block after the section that the heading at `begin` opens (the next heading of its
// level or above).
size_t SectionEnd(const std::vector<cmark_node*>& blocks, size_t begin) {
  int level = HeadingLevel(blocks[begin]);
  size_t end = begin + 1;
  while (end < blocks.size() && !(IsHeading(blocks[end]) && HeadingLevel(blocks[end]) <= level)) ++end;
  return end;
}

DocumentKind KindOf(const std::vector<Workstream>& workstreams, bool skipped_template) {
  if (!workstreams.empty()) return DocumentKind::kCards;
  return skipped_template ? DocumentKind::kTemplate : DocumentKind::kNotACard;
}

}  // namespace

const char* DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kCards: return "cards";
    case DocumentKind::kCompletionSummary: return "completion summary";
    case DocumentKind::kTemplate: return "template";
    case DocumentKind::kNotACard: return "no workstream ID";
  }
  return "unknown";
}

CardPieceParse ParseCardPiece(std::string_view file, const CardPiece& piece, bool first) {
  CardPieceParse parse;
  ParsedDocument& result = parse.document;
  MarkdownDocument document = MarkdownDocument::Parse(piece.text);
  std::vector<cmark_node*> blocks;
  for (cmark_node* node = cmark_node_first_child(document.root()); node != nullptr;
       node = cmark_node_next(node)) {
    blocks.push_back(node);
  }
  if (first && IsCompletionSummary(file, blocks)) {
    result.kind = DocumentKind::kCompletionSummary;
    parse.completion_summary = true;
    return parse;
  }

  struct Section {
    size_t begin, end;
    std::optional<IdHeading> heading;
  };
  std::vector<Section> sections;
  std::vector<std::pair<size_t, IdHeading>> id_headings;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (!IsHeading(blocks[i])) continue;
    if (std::optional<IdHeading> heading = ParseIdHeading(blocks[i])) {
      id_headings.emplace_back(i, *heading);
      parse.shallowest_id_heading = std::min(parse.shallowest_id_heading, HeadingLevel(blocks[i]));
      if (i == 0 && heading->line == 1) parse.opening_id_heading = HeadingLevel(blocks[i]);
    }
  }
  size_t first_id_heading = id_headings.empty() ? blocks.size() : id_headings.front().first;
  bool single_card = id_headings.empty() || HasIdField(blocks, 0, first_id_heading);
  parse.single_card = single_card;
  if (single_card) {
    // One card: the whole file. Headings that mention IDs inside it are just headings.
    std::optional<IdHeading> title;
    if (id_headings.size() == 1) title = id_headings.front().second;
    sections.push_back({0, blocks.size(), title});
  }
  for (size_t h = 0; !single_card && h < id_headings.size();) {
    auto [begin, heading] = id_headings[h];
    size_t natural_end = SectionEnd(blocks, begin);
    size_t next_id = h + 1 < id_headings.size() ? id_headings[h + 1].first : blocks.size();
    size_t end = natural_end;
    // A card with its own **ID** field keeps deeper headings that mention IDs ("### WS-03
    // integration notes"). Without one, a deeper ID heading starts the next workstream only
    // if it carries card fields of its own ("### WS-04 (ComfyUI Setup)" in the notes to the
    // workstreams that follow is a section of this card).
    if (!HasIdField(blocks, begin + 1, std::min(next_id, natural_end))) {
      for (size_t k = h + 1; k < id_headings.size() && id_headings[k].first < natural_end; ++k) {
        size_t nested = id_headings[k].first;
        size_t nested_next_id = k + 1 < id_headings.size() ? id_headings[k + 1].first : blocks.size();
        if (HasCardFields(blocks, nested + 1, std::min(SectionEnd(blocks, nested), nested_next_id))) {
          end = nested;
          break;
        }
      }
    }
    sections.push_back({begin, end, heading});
    while (h < id_headings.size() && id_headings[h].first < end) ++h;
  }
  bool& skipped_template = parse.skipped_template;
  SourceLines lines(piece.text);
  FileName file_name{file};
  for (const Section& section : sections) {
    std::vector<cmark_node*> section_blocks(blocks.begin() + static_cast<long>(section.begin),
                                            blocks.begin() + static_cast<long>(section.end));
    CardBuilder builder{file_name, result.diagnostics, lines, piece.first_line - 1};
    bool is_template = false;
    std::optional<Workstream> workstream =
        builder.Build(section_blocks, section.heading, &is_template);
    if (is_template) {
      skipped_template = true;
      int line = (section.heading ? section.heading->line : 1) + piece.first_line - 1;
      result.diagnostics.Warn({std::string(file), line},
                              "template with placeholder ID or name skipped");
    }
    if (workstream) result.workstreams.push_back(std::move(*workstream));
  }
  result.kind = KindOf(result.workstreams, skipped_template);
  return parse;
}

std::optional<ParsedDocument> JoinCardPieces(std::vector<CardPieceParse> pieces) {
  if (pieces.empty()) return std::nullopt;
  CardPieceParse& first = pieces.front();
  if (pieces.size() == 1 || first.completion_summary) return std::move(first.document);
  // Read whole, the file would be cut into the same sections only if it holds several
  // cards, each later piece opens a section (with an ID heading on its first line), and
  // no ID heading stands shallower than those it was cut at.
  int cut_level = pieces[1].opening_id_heading;
  if (first.single_card || cut_level == 0) return std::nullopt;
  bool skipped_template = false;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0 && pieces[i].opening_id_heading != cut_level) return std::nullopt;
    if (pieces[i].shallowest_id_heading < cut_level) return std::nullopt;
    skipped_template = skipped_template || pieces[i].skipped_template;
  }
  size_t count = 0;
  for (const CardPieceParse& piece : pieces) count += piece.document.workstreams.size();
  ParsedDocument joined = std::move(first.document);
  joined.workstreams.reserve(count);
  for (size_t i = 1; i < pieces.size(); ++i) {
    ParsedDocument& piece = pieces[i].document;
    joined.diagnostics.Append(piece.diagnostics);
    for (Workstream& ws : piece.workstreams) joined.workstreams.push_back(std::move(ws));
    std::vector<Workstream>().swap(piece.workstreams);  // as it goes: a large file's are not held twice
  }
  joined.kind = KindOf(joined.workstreams, skipped_template);
  return joined;
}

ParsedDocument ParseCardDocument(std::string_view file, std::string_view text, size_t piece_bytes) {
  std::vector<CardPiece> cuts = CutCardText(text, piece_bytes);
  if (cuts.size() > 1) {
    std::vector<CardPieceParse> pieces;
    pieces.reserve(cuts.size());
    for (size_t i = 0; i < cuts.size(); ++i) pieces.push_back(ParseCardPiece(file, cuts[i], i == 0));
    if (std::optional<ParsedDocument> joined = JoinCardPieces(std::move(pieces))) return std::move(*joined);
  }
  return ParseWholeCardDocument(file, text);
}

ParsedDocument ParseWholeCardDocument(std::string_view file, std::string_view text) {
  return std::move(ParseCardPiece(file, CardPiece{text, 1}, true).document);
}

}  // namespace wsfleet::common
