#include "common/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "common/text.h"

namespace wsfleet::common {
namespace {

// cmark allocates every node separately and frees them one by one; a document's nodes all
// die together, so a per-thread bump arena, reset after each document, does that work
// without malloc or page faults (see docs/benchmarks.md). cmark_mem has no context
// pointer, hence thread_local.
class Arena {
 public:
  void* Allocate(size_t bytes) {
    size_t needed = RoundUp(bytes) + kHeader;
    if (blocks_.empty() || blocks_.back().used + needed > blocks_.back().size) {
      size_t size = std::max(kBlockSize, needed);
      blocks_.push_back({std::unique_ptr<char[]>(new (std::nothrow) char[size]), size, 0});
      if (!blocks_.back().data) std::abort();  // as cmark's own allocator does
    }
    Block& block = blocks_.back();
    char* start = block.data.get() + block.used;
    block.used += needed;
    *reinterpret_cast<size_t*>(start) = bytes;
    return start + kHeader;
  }

  static size_t SizeOf(void* pointer) {
    return *reinterpret_cast<size_t*>(static_cast<char*>(pointer) - kHeader);
  }

  // Forgets every allocation; keeps one ordinary block for the next document.
  void Reset() {
    while (blocks_.size() > 1 || (!blocks_.empty() && blocks_.back().size > kBlockSize)) {
      blocks_.pop_back();
    }
    if (!blocks_.empty()) blocks_.back().used = 0;
  }

 private:
  static constexpr size_t kHeader = 16;  // keeps 16-byte alignment
  static constexpr size_t kBlockSize = size_t{256} << 10;
  static size_t RoundUp(size_t bytes) { return (bytes + 15) & ~size_t{15}; }
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
    size_t used;
  };
  std::vector<Block> blocks_;
};

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

thread_local Arena arena;
thread_local bool arena_in_use = false;

void* ArenaCalloc(size_t count, size_t size) {
  if (size != 0 && count > SIZE_MAX / size) std::abort();
  void* pointer = arena.Allocate(count * size);
  std::memset(pointer, 0, count * size);
  return pointer;
}

void* ArenaRealloc(void* pointer, size_t size) {
  if (pointer == nullptr) return arena.Allocate(size);
  size_t old_size = Arena::SizeOf(pointer);
  if (size <= old_size) return pointer;
  void* grown = arena.Allocate(size);
  std::memcpy(grown, pointer, old_size);
  return grown;
}

void ArenaFree(void*) {}

cmark_mem arena_allocator = {ArenaCalloc, ArenaRealloc, ArenaFree};

void EnsureExtensionsRegistered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

void Attach(cmark_parser* parser, const char* name) {
  if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
    cmark_parser_attach_syntax_extension(parser, extension);
  }
}

}  // namespace

void MarkdownDocument::NodeDeleter::operator()(cmark_node* node) const {
  if (in_arena) {
    arena.Reset();
    arena_in_use = false;
  } else {
    cmark_node_free(node);
  }
}

MarkdownDocument MarkdownDocument::Parse(std::string_view text) {
  EnsureExtensionsRegistered();
  // A second document alive on the same thread cannot share the arena. Under
  // AddressSanitizer cmark gets malloc, so the sanitizer sees each of its allocations.
  bool use_arena = !arena_in_use && !kAddressSanitizer;
  arena_in_use = arena_in_use || use_arena;
  cmark_parser* parser = cmark_parser_new_with_mem(
      CMARK_OPT_DEFAULT, use_arena ? &arena_allocator : cmark_get_default_mem_allocator());
  Attach(parser, "table");
  Attach(parser, "tasklist");
  Attach(parser, "strikethrough");
  cmark_parser_feed(parser, text.data(), text.size());
  MarkdownDocument document;
  document.root_ = std::unique_ptr<cmark_node, NodeDeleter>(cmark_parser_finish(parser),
                                                            NodeDeleter{use_arena});
  cmark_parser_free(parser);
  return document;
}

std::vector<InlineLine> InlineLines(cmark_node* block) {
  std::vector<InlineLine> lines;
  lines.push_back({StartLine(block), "", false, "", "", {}});
  // The bold node that opens the current line, while we are inside it.
  cmark_node* lead = nullptr;
  bool lead_done = false;
  cmark_iter* iter = cmark_iter_new(block);
  cmark_event_type event;
  while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(iter);
    if (node == block) continue;
    InlineLine& line = lines.back();
    std::string& target = (lead != nullptr) ? line.lead_strong : line.text;
    cmark_node_type type = cmark_node_get_type(node);
    if (event == CMARK_EVENT_EXIT) {
      if (node == lead) {
        lead = nullptr;
        lead_done = true;
        line.text += line.lead_strong;
      }
      continue;
    }
    switch (type) {
      case CMARK_NODE_STRONG:
        if (lead == nullptr && !lead_done && Trim(line.text).empty()) {
          lead = node;
          line.has_lead_strong = true;
          line.text.clear();
        }
        break;
      case CMARK_NODE_TEXT:
      case CMARK_NODE_HTML_INLINE:
        target += Literal(node);
        if (lead_done) line.rest += Literal(node);
        break;
      case CMARK_NODE_CODE: {
        std::string code = Literal(node);
        line.code_spans.push_back(code);
        target += "`" + code + "`";
        if (lead_done) line.rest += "`" + code + "`";
        break;
      }
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK:
        if (lead != nullptr) {
          // A bold span that runs across lines is not a field key.
          line.text = line.lead_strong;
          line.has_lead_strong = false;
          line.lead_strong.clear();
          lead = nullptr;
        }
        lead_done = false;
        lines.push_back({line.line + 1, "", false, "", "", {}});
        break;
      default:
        break;
    }
  }
  cmark_iter_free(iter);
  return lines;
}

std::string InlineText(cmark_node* block) {
  std::string text;
  for (const InlineLine& line : InlineLines(block)) {
    if (!text.empty()) text += ' ';
    text += line.text;
  }
  return text;
}

bool ParseFieldLine(const InlineLine& line, Field& field) {
  if (!line.has_lead_strong) return false;
  std::string_view key = Trim(line.lead_strong);
  std::string_view rest = line.rest;
  if (EndsWith(key, ":")) {
    key = Trim(key.substr(0, key.size() - 1));
  } else {
    rest = Trim(rest);
    if (!StartsWith(rest, ":")) return false;
    rest.remove_prefix(1);
  }
  if (key.empty() || key.size() > 64) return false;
  field.key = std::string(key);
  field.value = std::string(Trim(rest));
  return true;
}

namespace {

// cmark-gfm's table extension splits the lines above a table's header off into a paragraph
// of their own and gives it no position (0); the table keeps the first line they had.
bool IsUnplacedParagraph(cmark_node* node) {
  return cmark_node_get_start_line(node) == 0 && IsParagraph(node) && cmark_node_next(node) != nullptr;
}

int LineBreaks(cmark_node* paragraph) {
  int breaks = 0;
  for (cmark_node* child = cmark_node_first_child(paragraph); child != nullptr; child = cmark_node_next(child)) {
    cmark_node_type type = cmark_node_get_type(child);
    if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) ++breaks;
  }
  return breaks;
}

}  // namespace

int StartLine(cmark_node* node) {
  if (IsUnplacedParagraph(node)) return cmark_node_get_start_line(cmark_node_next(node));
  return cmark_node_get_start_line(node);
}

int EndLine(cmark_node* node) {
  if (IsUnplacedParagraph(node)) return StartLine(node) + LineBreaks(node);
  return cmark_node_get_end_line(node);
}

int HeadingLevel(cmark_node* node) {
  return IsHeading(node) ? cmark_node_get_heading_level(node) : 0;
}

bool IsHeading(cmark_node* node) { return cmark_node_get_type(node) == CMARK_NODE_HEADING; }
bool IsParagraph(cmark_node* node) { return cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH; }
bool IsList(cmark_node* node) { return cmark_node_get_type(node) == CMARK_NODE_LIST; }
bool IsItem(cmark_node* node) { return cmark_node_get_type(node) == CMARK_NODE_ITEM; }
bool IsCodeBlock(cmark_node* node) {
  return cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK;
}

std::string FenceInfo(cmark_node* node) {
  const char* info = cmark_node_get_fence_info(node);
  std::string_view text = Trim(info == nullptr ? "" : info);
  size_t end = 0;
  while (end < text.size() && !IsAsciiSpace(text[end]) && text[end] != '{') ++end;
  return ToLower(text.substr(0, end));
}

std::string Literal(cmark_node* node) {
  const char* literal = cmark_node_get_literal(node);
  return literal == nullptr ? std::string() : std::string(literal);
}

int TaskState(cmark_node* item) {
  const char* type = cmark_node_get_type_string(item);
  if (type == nullptr || std::strcmp(type, "tasklist") != 0) return -1;
  return cmark_gfm_extensions_get_tasklist_item_checked(item) ? 1 : 0;
}

}  // namespace wsfleet::common
