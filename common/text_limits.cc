#include "common/text_limits.h"

#include <string>

namespace wsfleet::common {

std::optional<TextProblem> CheckTextLimits(std::string_view text, const TextLimits& limits) {
  int line = 1;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view content = text.substr(start, end - start);
    if (content.size() > limits.max_line_bytes) {
      return TextProblem{line, "a line of " + std::to_string(content.size()) + " bytes; a card's lines are at most " +
                                   std::to_string(limits.max_line_bytes)};
    }
    size_t cells = 0;
    for (char c : content) cells += c == '|' ? 1 : 0;
    if (cells > limits.max_row_cells) {
      return TextProblem{line, "a line with " + std::to_string(cells) + " '|' (table cells); at most " +
                                   std::to_string(limits.max_row_cells) + " in a row"};
    }
    if (end == text.size()) break;
    start = end + 1;
    ++line;
  }
  return std::nullopt;
}

}  // namespace wsfleet::common
