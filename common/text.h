#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Small, locale-independent string helpers shared by the card parsers.
namespace wsfleet::common {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiAlnum(char c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string_view Trim(std::string_view text);
std::string ToLower(std::string_view text);
// Unix milliseconds as "2026-12-04 00:30:00Z" (UTC); "-" for 0 or less (never).
std::string UtcDateTime(int64_t unix_ms);
bool StartsWith(std::string_view text, std::string_view prefix);
bool EndsWith(std::string_view text, std::string_view suffix);
bool Contains(std::string_view text, std::string_view needle);

// Removes emoji, checkmarks and other symbols that people decorate cards with
// (anything outside ASCII that is not a letter we could know), then trims.
std::string StripDecorations(std::string_view text);

// Lower-cased heading/key text without decorations or a trailing parenthetical,
// used to recognise section names: "Verification Steps (Agent Self-Check)" ->
// "verification steps".
std::string NormalizeHeading(std::string_view text);

// Number of Unicode code points; used for column widths in tables.
size_t DisplayWidth(std::string_view utf8);

// Cuts `utf8` to at most `width` code points, ending with an ellipsis when cut.
std::string TruncateToWidth(std::string_view utf8, size_t width);

std::vector<std::string> SplitLines(std::string_view text);

}  // namespace wsfleet::common
