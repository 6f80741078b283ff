#include "common/card_parser.h"

#include <cmark-gfm.h>

#include <filesystem>

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

ParsedDocument ParseCardDocument(std::string_view file, std::string_view text) {
  ParsedDocument result;
  MarkdownDocument document = MarkdownDocument::Parse(text);
  std::vector<cmark_node*> blocks;
  for (cmark_node* node = cmark_node_first_child(document.root()); node != nullptr;
       node = cmark_node_next(node)) {
    blocks.push_back(node);
  }
  if (IsCompletionSummary(file, blocks)) {
    result.kind = DocumentKind::kCompletionSummary;
    return result;
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
    }
  }
  size_t first_id_heading = id_headings.empty() ? blocks.size() : id_headings.front().first;
  bool single_card = id_headings.empty() || HasIdField(blocks, 0, first_id_heading);
  if (single_card) {
    // One card: the whole file. Headings that mention IDs inside it are just headings.
    std::optional<IdHeading> title;
    if (id_headings.size() == 1) title = id_headings.front().second;
    sections.push_back({0, blocks.size(), title});
  }
  for (size_t h = 0; !single_card && h < id_headings.size();) {
    auto [begin, heading] = id_headings[h];
    int level = HeadingLevel(blocks[begin]);
    size_t natural_end = begin + 1;
    while (natural_end < blocks.size() &&
           !(IsHeading(blocks[natural_end]) && HeadingLevel(blocks[natural_end]) <= level)) {
      ++natural_end;
    }
    size_t next_id = h + 1 < id_headings.size() ? id_headings[h + 1].first : blocks.size();
    // A card with its own **ID** field keeps deeper headings that mention IDs ("### WS-03
    // integration notes"); without one, a nested ID heading starts the next workstream.
    size_t end = HasIdField(blocks, begin + 1, std::min(next_id, natural_end))
                     ? natural_end
                     : std::min(natural_end, next_id);
    sections.push_back({begin, end, heading});
    while (h < id_headings.size() && id_headings[h].first < end) ++h;
  }
  bool skipped_template = false;
  SourceLines lines(text);
  for (const Section& section : sections) {
    std::vector<cmark_node*> section_blocks(blocks.begin() + static_cast<long>(section.begin),
                                            blocks.begin() + static_cast<long>(section.end));
    CardBuilder builder{std::string(file), result.diagnostics, lines};
    bool is_template = false;
    std::optional<Workstream> workstream =
        builder.Build(section_blocks, section.heading, &is_template);
    if (is_template) {
      skipped_template = true;
      int line = section.heading ? section.heading->line : 1;
      result.diagnostics.Warn({std::string(file), line},
                              "template with placeholder ID or name skipped");
    }
    if (workstream) result.workstreams.push_back(std::move(*workstream));
  }
  if (!result.workstreams.empty()) {
    result.kind = DocumentKind::kCards;
  } else if (skipped_template) {
    result.kind = DocumentKind::kTemplate;
  }
  return result;
}

}  // namespace wsfleet::common
