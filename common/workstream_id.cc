#include "common/workstream_id.h"

#include <cstdio>

#include "common/text.h"

namespace wsfleet::common {
namespace {

bool IsWordChar(char c) { return IsAsciiAlnum(c) || c == '_'; }

// Tries to read one mention at `pos`; returns the end offset, or npos when there is none.
size_t MatchMention(std::string_view text, size_t pos, IdMention& out) {
  if (pos + 2 > text.size()) return std::string_view::npos;
  if (AsciiLower(text[pos]) != 'w' || AsciiLower(text[pos + 1]) != 's') {
    return std::string_view::npos;
  }
  if (pos > 0 && IsWordChar(text[pos - 1])) return std::string_view::npos;
  size_t i = pos + 2;
  if (i < text.size() && (text[i] == '-' || text[i] == '_' || text[i] == ' ')) ++i;
  size_t digits_begin = i;
  while (i < text.size() && IsAsciiDigit(text[i])) ++i;
  size_t digit_count = i - digits_begin;
  if (digit_count > 0) {
    if (digit_count > static_cast<size_t>(WorkstreamId::kMaxDigits)) {
      return std::string_view::npos;
    }
    if (i < text.size() && IsWordChar(text[i])) return std::string_view::npos;
    int number = 0;
    for (size_t k = digits_begin; k < i; ++k) number = number * 10 + (text[k] - '0');
    out = IdMention{pos, i, false, WorkstreamId(number)};
    return i;
  }
  // Placeholders: WS-XX, WS-YY, WS-ZZ (one to three letters of X/Y/Z).
  while (i < text.size() && i - digits_begin < 3 &&
         (AsciiLower(text[i]) == 'x' || AsciiLower(text[i]) == 'y' ||
          AsciiLower(text[i]) == 'z')) {
    ++i;
  }
  if (i == digits_begin || (i < text.size() && IsWordChar(text[i]))) {
    return std::string_view::npos;
  }
  // Placeholders need their separator: "WS XX" or "WSX" is a word, not a template ID.
  if (digits_begin == pos + 2 || text[digits_begin - 1] == ' ') return std::string_view::npos;
  out = IdMention{pos, i, true, WorkstreamId()};
  return i;
}

}  // namespace

std::optional<WorkstreamId> WorkstreamId::Parse(std::string_view text) {
  std::string_view trimmed = Trim(text);
  IdMention mention;
  if (MatchMention(trimmed, 0, mention) != trimmed.size() || mention.placeholder) {
    return std::nullopt;
  }
  return mention.id;
}

std::string WorkstreamId::ToString() const {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "WS-%02d", number_);
  return buffer;
}

std::vector<IdMention> FindIdMentions(std::string_view text) {
  std::vector<IdMention> mentions;
  size_t pos = 0;
  while (pos + 2 <= text.size()) {
    size_t next = text.find_first_of("wW", pos);
    if (next == std::string_view::npos) break;
    IdMention mention;
    size_t end = MatchMention(text, next, mention);
    if (end == std::string_view::npos) {
      pos = next + 1;
      continue;
    }
    mentions.push_back(mention);
    pos = end;
  }
  return mentions;
}

}  // namespace wsfleet::common
