#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct cmark_node;
}

// A thin owner of a cmark-gfm document, and the one place that turns inline markdown into
// the plain text the card parsers read. No recursion: documents can nest arbitrarily deep.
namespace wsfleet::common {

class MarkdownDocument {
 public:
  // Parses GitHub-flavoured markdown (tables and task lists enabled). Never fails: every
  // byte sequence is some markdown document. The document must be destroyed on the thread
  // that parsed it.
  static MarkdownDocument Parse(std::string_view text);

  cmark_node* root() const { return root_.get(); }

 private:
  MarkdownDocument() : root_(nullptr, NodeDeleter{false}) {}
  struct NodeDeleter {
    bool in_arena;  // nodes live in this thread's arena, released all at once
    void operator()(cmark_node* node) const;
  };
  std::unique_ptr<cmark_node, NodeDeleter> root_;
};

// One source line of a paragraph or heading, as text. Code spans keep their backticks;
// emphasis and links keep only their text.
struct InlineLine {
  int line = 0;
  std::string text;
  // Set when the line opens with bold text: "**Key**: value" -> lead "Key", rest ": value".
  bool has_lead_strong = false;
  std::string lead_strong;
  std::string rest;
  std::vector<std::string> code_spans;  // contents of the backticked spans on this line
};

// Splits a paragraph or heading into its source lines.
std::vector<InlineLine> InlineLines(cmark_node* block);

// The whole inline content of a block as one line of text.
std::string InlineText(cmark_node* block);

// A `**Key**: value` field, if `line` is one ("**Key:** value" is accepted too).
struct Field {
  std::string key;
  std::string value;
};
bool ParseFieldLine(const InlineLine& line, Field& field);

int StartLine(cmark_node* node);
int EndLine(cmark_node* node);
int HeadingLevel(cmark_node* node);  // 0 for anything that is not a heading
bool IsHeading(cmark_node* node);
bool IsParagraph(cmark_node* node);
bool IsList(cmark_node* node);
bool IsItem(cmark_node* node);
bool IsCodeBlock(cmark_node* node);
std::string FenceInfo(cmark_node* node);  // first word of the info string, lower-cased
std::string Literal(cmark_node* node);
// For task-list items ("- [x] done"): 1 checked, 0 unchecked, -1 not a task item.
int TaskState(cmark_node* item);

}  // namespace wsfleet::common
