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

}  // namespace
}  // namespace wsfleet::common
