#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/utf8.h"

namespace wsfleet::common {

// What one card may ask of the markdown parser before it runs. cmark-gfm's table extension
// takes time quadratic in a row's cells (one row of 65,000 `|` took 10 s, stalling whoever
// parsed it), and every line is held whole while it is parsed.
struct TextLimits {
  size_t max_line_bytes = size_t{256} << 10;
  size_t max_row_cells = 1000;  // `|` in one line
};

// The first line past a limit, with what it holds and the limit; nothing when all are within.
std::optional<TextProblem> CheckTextLimits(std::string_view text, const TextLimits& limits = {});

}  // namespace wsfleet::common
