#pragma once

#include <string>

#include "common/workstream.h"

// Pure text rules the card builder applies to code blocks and list items.
namespace wsfleet::common {

// bash, sh, shell, console or unlabelled blocks are steps; other languages are documentation.
bool IsStepLanguage(const std::string& language);

// A `console` block shows prompts and output: its commands are the "$ " lines (and their
// backslash continuations). Blocks without prompts are taken whole.
std::string ConsoleCommands(const std::string& block);

// False for a block of only comments and blank lines: nothing to run.
bool HasCommand(const std::string& script);

// A backticked span that names a file or folder: no spaces, a '/' or '.', and a letter.
bool LooksLikePath(const std::string& code);

// Removes a leading checkbox marker from `text` and says which it was:
// ✅ ☑ ✔ [x] checked; ⬜ ☐ ❌ [ ] unchecked.
Checkbox StripCheckbox(std::string& text);

}  // namespace wsfleet::common
