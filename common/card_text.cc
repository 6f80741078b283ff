#include "common/card_text.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "common/text.h"

namespace wsfleet::common {

bool IsStepLanguage(const std::string& language) {
  return language.empty() || language == "bash" || language == "sh" || language == "shell" ||
         language == "console";
}

std::string ConsoleCommands(const std::string& block) {
  std::vector<std::string> lines = SplitLines(block);
  bool has_prompt = std::any_of(lines.begin(), lines.end(),
                                [](const std::string& l) { return StartsWith(l, "$ "); });
  if (!has_prompt) return block;
  std::string script;
  bool continuing = false;
  for (const std::string& line : lines) {
    if (StartsWith(line, "$ ") || continuing) {
      script += continuing ? line : line.substr(2);
      script += '\n';
      continuing = EndsWith(line, "\\");
    }
  }
  return script;
}

bool HasCommand(const std::string& script) {
  for (const std::string& line : SplitLines(script)) {
    std::string_view trimmed = Trim(line);
    if (!trimmed.empty() && trimmed[0] != '#') return true;
  }
  return false;
}

bool LooksLikePath(const std::string& code) {
  if (code.empty() || code.size() > 255 || code[0] == '-') return false;
  bool separator = false;
  bool letter = false;
  for (char c : code) {
    if (IsAsciiSpace(c) || c == '=' || c == '(' || c == '<' || c == '>' || c == '|') return false;
    if (c == '/' || c == '.') separator = true;
    if (IsAsciiAlpha(c)) letter = true;
  }
  return separator && letter;
}

Checkbox StripCheckbox(std::string& text) {
  static const std::pair<std::string_view, Checkbox> kMarkers[] = {
      {"\xE2\x9C\x85", Checkbox::kChecked},    // ✅
      {"\xE2\x98\x91", Checkbox::kChecked},    // ☑
      {"\xE2\x9C\x94", Checkbox::kChecked},    // ✔
      {"[x]", Checkbox::kChecked},
      {"[X]", Checkbox::kChecked},
      {"\xE2\xAC\x9C", Checkbox::kUnchecked},  // ⬜
      {"\xE2\x98\x90", Checkbox::kUnchecked},  // ☐
      {"\xE2\x9D\x8C", Checkbox::kUnchecked},  // ❌
      {"[ ]", Checkbox::kUnchecked},
  };
  std::string_view view = Trim(text);
  for (auto [marker, state] : kMarkers) {
    if (StartsWith(view, marker)) {
      view.remove_prefix(marker.size());
      if (StartsWith(view, "\xEF\xB8\x8F")) view.remove_prefix(3);  // emoji variation selector
      text = std::string(Trim(view));
      return state;
    }
  }
  text = std::string(view);
  return Checkbox::kNone;
}

}  // namespace wsfleet::common
