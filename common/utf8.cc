#include "common/utf8.h"

namespace wsfleet::common {
namespace {

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the valid UTF-8 sequence at `i`, or 0 when it is not valid.
size_t SequenceLength(std::string_view bytes, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  unsigned char lead = at(i);
  size_t length = 0;
  unsigned char min_second = 0x80;
  unsigned char max_second = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) min_second = 0xA0;  // overlong
    if (lead == 0xED) max_second = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) min_second = 0x90;  // overlong
    if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  if (at(i + 1) < min_second || at(i + 1) > max_second) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (!IsContinuation(at(i + k))) return 0;
  }
  return length;
}

}  // namespace

std::optional<TextProblem> CheckText(std::string_view bytes) {
  int line = 1;
  size_t i = 0;
  while (i < bytes.size()) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte < 0x80) {
      if (byte == 0) return TextProblem{line, "contains a NUL byte (binary file?)"};
      if (byte == '\n') ++line;
      ++i;
      continue;
    }
    size_t length = SequenceLength(bytes, i);
    if (length == 0) {
      char hex[8];
      static const char kDigits[] = "0123456789abcdef";
      hex[0] = kDigits[byte >> 4];
      hex[1] = kDigits[byte & 0xF];
      hex[2] = '\0';
      return TextProblem{line, std::string("invalid UTF-8 (byte 0x") + hex + ")"};
    }
    i += length;
  }
  return std::nullopt;
}

}  // namespace wsfleet::common
