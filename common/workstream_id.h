#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsfleet::common {

// A workstream's identity. `ws-1`, `WS-1`, `WS_01` and `WS-001` are one ID; it prints with
// at least two digits (`WS-01`). Cheap to copy and compare; safe from any thread.
class WorkstreamId {
 public:
  static constexpr int kMaxDigits = 6;

  WorkstreamId() = default;
  explicit WorkstreamId(int number) : number_(number) {}

  // Accepts exactly one ID with optional surrounding spaces, nothing else.
  static std::optional<WorkstreamId> Parse(std::string_view text);

  int number() const { return number_; }
  std::string ToString() const;

  auto operator<=>(const WorkstreamId&) const = default;

 private:
  int number_ = 0;
};

// One ID (or placeholder such as `WS-XX`) found inside free text.
struct IdMention {
  size_t begin = 0;  // byte offsets into the scanned text
  size_t end = 0;
  bool placeholder = false;  // `WS-XX`, `WS-YY`: a template, not a real ID
  WorkstreamId id;           // meaningful only when !placeholder
};

// Finds every workstream ID mention in `text`, in order. A mention starts at a word
// boundary with `WS` (any case), an optional `-`, `_` or space, then digits (or X/Y/Z
// placeholders) that end at a word boundary.
std::vector<IdMention> FindIdMentions(std::string_view text);

}  // namespace wsfleet::common
