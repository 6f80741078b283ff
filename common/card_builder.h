#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "common/workstream.h"

extern "C" {
struct cmark_node;
}

namespace wsfleet::common {

// What a `# WS-01: Name` heading says.
struct IdHeading {
  bool placeholder = false;  // WS-XX
  WorkstreamId id;
  std::string name;
  int line = 0;
};

// Reads a heading's text as a workstream heading, if it opens with an ID.
std::optional<IdHeading> ParseIdHeading(cmark_node* heading);

// Builds one Workstream from the top-level blocks of its section: fields, dependencies,
// deliverables, acceptance criteria and steps. Reports problems to `diagnostics`.
// Returns nothing for a section that is a template or has no ID.
// A document's lines by number (from 1), found when first asked for: the sections a card
// keeps as written are sliced from it.
class SourceLines {
 public:
  explicit SourceLines(std::string_view text) : text_(text) {}
  // Lines first..last, each with its newline.
  std::string_view Slice(int first, int last);

 private:
  std::string_view text_;
  std::vector<size_t> starts_;  // of each line, then the end
};

class CardBuilder {
 public:
  // `line_offset`: what turns a line of `lines` into a line of the file (a piece of a file
  // starts past its first line; see card_cuts.h).
  CardBuilder(FileName file, Diagnostics& diagnostics, SourceLines& lines, int line_offset = 0)
      : file_(std::move(file)), diagnostics_(diagnostics), lines_(lines), line_offset_(line_offset) {}

  // `heading` is the section's ID heading, when the section has one.
  std::optional<Workstream> Build(const std::vector<cmark_node*>& blocks,
                                  const std::optional<IdHeading>& heading,
                                  bool* skipped_template);

 private:
  enum class Context {
    kNone, kObjective, kDeliverables, kCriteria, kBlockedBy, kBlocks, kSoft, kSteps, kKnownIssues, kChecklist,
    kEnvironment
  };
  struct HeadingFrame {
    int level;
    std::string normalized;
    std::string text;
  };

  static Context ContextOf(const std::vector<HeadingFrame>& stack);
  // Where a block under one of the sections kept as written goes (see Workstream); null
  // elsewhere. `self`: the section's own heading is not kept.
  std::string* KeptSection(const std::vector<HeadingFrame>& stack, bool self);
  void Keep(std::string& section, cmark_node* block);  // its source lines, as written
  void OnField(const std::string& key, const std::string& value, int line);
  void OnDependencyText(const std::string& text, int line, std::vector<Dependency>& into,
                        const char* what);
  void OnDependencyList(cmark_node* list, std::vector<Dependency>& into, const char* what);
  void OnDeliverables(cmark_node* list);
  void OnEnvironmentLine(const std::string& line, int line_number);
  void OnCriteria(cmark_node* list);
  // Each top-level item's text (checkbox markers removed).
  std::vector<std::string> ItemTexts(cmark_node* list) const;
  void OnStep(cmark_node* code_block, const std::string& heading);
  void Finish(Workstream& workstream);

  SourceLocation At(int line) const { return {file_, line + line_offset_}; }

  FileName file_;  // shared by every location the card's workstream holds
  Diagnostics& diagnostics_;
  SourceLines& lines_;
  int line_offset_;
  Workstream ws_;
  std::optional<WorkstreamId> field_id_;
  int field_id_line_ = 0;
  bool placeholder_ = false;
  std::string criteria_group_;
  std::vector<std::string> seen_keys_;
  // A **Dependencies** value that named no ID ("see Blocked By"), checked at the end.
  std::optional<Dependency> vague_dependencies_;
  std::string vague_dependencies_text_;
};

}  // namespace wsfleet::common
