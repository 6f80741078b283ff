#include "common/card_text.h"

#include <gtest/gtest.h>

namespace wsfleet::common {
namespace {

TEST(CardTextTest, StepLanguages) {
  for (const char* language : {"", "bash", "sh", "shell", "console"}) {
    EXPECT_TRUE(IsStepLanguage(language)) << language;
  }
  for (const char* language : {"python", "toml", "yaml", "markdown", "text"}) {
    EXPECT_FALSE(IsStepLanguage(language)) << language;
  }
}

TEST(CardTextTest, ConsoleKeepsPromptedCommandsOnly) {
  EXPECT_EQ(ConsoleCommands("$ ls\nfile\n$ echo a \\\n  b\na b\n"), "ls\necho a \\\n  b\n");
  EXPECT_EQ(ConsoleCommands("make test\n"), "make test\n");
}

TEST(CardTextTest, CommentsOnlyIsNothingToRun) {
  EXPECT_FALSE(HasCommand("# comment\n\n   # another\n"));
  EXPECT_TRUE(HasCommand("# comment\nmake\n"));
}

TEST(CardTextTest, Paths) {
  for (const char* path : {"docs/guide.md", "README.md", "tests/data/", "out/a.txt"}) {
    EXPECT_TRUE(LooksLikePath(path)) << path;
  }
  for (const char* code : {"make test", "x >= 1", "1.0", "--flag", "a|b", ""}) {
    EXPECT_FALSE(LooksLikePath(code)) << code;
  }
}

TEST(CardTextTest, Checkboxes) {
  std::string text = "✅ Done thing";
  EXPECT_EQ(StripCheckbox(text), Checkbox::kChecked);
  EXPECT_EQ(text, "Done thing");
  text = "[ ] Open thing";
  EXPECT_EQ(StripCheckbox(text), Checkbox::kUnchecked);
  EXPECT_EQ(text, "Open thing");
  text = "❌ Failed";
  EXPECT_EQ(StripCheckbox(text), Checkbox::kUnchecked);
  text = "Plain";
  EXPECT_EQ(StripCheckbox(text), Checkbox::kNone);
  EXPECT_EQ(text, "Plain");
}

}  // namespace
}  // namespace wsfleet::common
