#include "coordinator/file_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace wsfleet::coordinator {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class FileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-files-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileWriterTest, DrainReturnsWithEverythingOnDiskAndTheNewestVersionWins) {
  std::vector<std::string> warnings;
  FileWriter writer([&](const std::string& message) { warnings.push_back(message); });
  for (int i = 0; i < 50; ++i) {
    writer.Write((dir_ / ("ws" + std::to_string(i)) / "SUMMARY.md").string(), "v1 " + std::to_string(i));
    writer.Write((dir_ / "report.md").string(), "report " + std::to_string(i));
  }
  writer.Drain();
  EXPECT_EQ(Read(dir_ / "ws49" / "SUMMARY.md"), "v1 49");
  EXPECT_EQ(Read(dir_ / "report.md"), "report 49");
  EXPECT_FALSE(fs::exists(dir_ / "report.md.tmp"));
  EXPECT_TRUE(warnings.empty());
}

TEST_F(FileWriterTest, ARendererRunsOnTheWritersThreadAndTheNewestVersionWins) {
  FileWriter writer(nullptr);
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> rendered{0};
  std::atomic<bool> on_caller{false};
  writer.Drain();
  {
    // Both queued before the writer can take the first: the second replaces it.
    std::string path = (dir_ / "ws1" / "SUMMARY.md").string();
    writer.WriteRendered(path, [&] {
      ++rendered;
      return std::string("old");
    });
    writer.WriteRendered(path, [&] {
      ++rendered;
      on_caller = std::this_thread::get_id() == caller;
      return std::string("new");
    });
  }
  writer.Drain();
  EXPECT_EQ(Read(dir_ / "ws1" / "SUMMARY.md"), "new");
  EXPECT_FALSE(on_caller);
  EXPECT_GE(rendered.load(), 1);
  EXPECT_LE(rendered.load(), 2) << "the first may have been taken already; never rendered twice";
}

TEST_F(FileWriterTest, AFailedWriteIsReportedAndTheRestGoOn) {
  std::vector<std::string> warnings;
  fs::create_directories(dir_);
  std::ofstream(dir_ / "blocker") << "a file where a directory should be";
  {
    FileWriter writer([&](const std::string& message) { warnings.push_back(message); });
    writer.Write((dir_ / "blocker" / "x.md").string(), "cannot be written");
    writer.Write((dir_ / "fine.md").string(), "written");
  }  // the destructor writes what is queued
  EXPECT_EQ(Read(dir_ / "fine.md"), "written");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("blocker/x.md"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace wsfleet::coordinator
