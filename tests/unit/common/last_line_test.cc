#include "common/last_line.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsfleet::common {
namespace {

TEST(LastLineTest, TheLastLineATerminalWouldShowWithoutItsControls) {
  EXPECT_EQ(LastLineIn("one\ntwo\n"), "two");
  EXPECT_EQ(LastLineIn("one\ntwo"), "two") << "a line still being written";
  EXPECT_EQ(LastLineIn("one\n\n  \n"), "one") << "blank lines skipped";
  EXPECT_EQ(LastLineIn("downloading 10%\r 55%\r100%\n"), "100%") << "what the carriage returns left";
  EXPECT_EQ(LastLineIn("\x1b[32mPASSED\x1b[0m\ttest_a\x07\n"), "PASSED test_a") << "colours and bells removed";
  EXPECT_EQ(LastLineIn("\x1b[2J\x1b[H\n"), "") << "nothing printable: nothing";
  EXPECT_EQ(LastLineIn(""), "");
}

TEST(LastLineTest, ReadsOnlyTheEndOfALog) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("last-line-" + std::to_string(::getpid()));
  {
    std::ofstream log(path);
    for (int i = 0; i < 100000; ++i) log << "line " << i << "\n";
  }
  EXPECT_EQ(LastLineOf(path.string()), "line 99999");
  std::filesystem::remove(path);
  EXPECT_EQ(LastLineOf(path.string()), "") << "no log (yet): nothing";
}

TEST(LastLineTest, TheTailOfALogInWholeCleanLines) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("last-lines-" + std::to_string(::getpid()));
  {
    std::ofstream log(path);
    for (int i = 0; i < 1000; ++i) log << "line " << i << "\n";
    log << "\x1b[31mFAILED\x1b[0m test_b\n10%\r100%";
  }
  std::string tail = LastLinesOf(path.string(), 40);
  EXPECT_EQ(tail, "line 999\nFAILED test_b\n100%\n") << "the line the cut halves is left out";
  EXPECT_EQ(LastLinesOf(path.string(), 1 << 20).substr(0, 14), "line 0\nline 1\n") << "a short log: all of it";
  std::filesystem::remove(path);
  EXPECT_EQ(LastLinesOf(path.string(), 100), "");
}

TEST(LastLineTest, ALastLineLongerThanWhatIsReadStillShowsItsEnd) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("long-line-" + std::to_string(::getpid()));
  {
    std::ofstream log(path);
    for (int i = 0; i < 2000; ++i) log << "\r" << i << "%";  // a progress bar, no newline
  }
  EXPECT_EQ(LastLineOf(path.string()), "1999%");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace wsfleet::common
