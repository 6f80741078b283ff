#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wsfleet::common {

struct TextProblem {
  int line = 0;
  std::string message;
};

// Checks that `bytes` is text a card can be: valid UTF-8 (no overlongs, no surrogates)
// without NUL bytes. Returns the first problem with its 1-based line.
std::optional<TextProblem> CheckText(std::string_view bytes);

}  // namespace wsfleet::common
