// Child processes as cli/, tests and benchmarks start them: real processes, no shell
// between unless asked for.

#include "common/child_process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wsfleet::common {
namespace {

TEST(ChildProcessTest, CapturesWhatAChildPrints) {
  absl::StatusOr<std::string> out = RunCapturingOutput({"/bin/sh", "-c", "echo one; echo two >&2; echo three"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "one\nthree\n");  // stderr is not captured
}

TEST(ChildProcessTest, SaysHowAChildThatFailedEnded) {
  absl::StatusOr<std::string> exited = RunCapturingOutput({"/bin/sh", "-c", "echo partial; exit 3"});
  ASSERT_FALSE(exited.ok());
  EXPECT_NE(exited.status().message().find("exited 3"), std::string::npos) << exited.status();
  absl::StatusOr<std::string> killed = RunCapturingOutput({"/bin/sh", "-c", "kill -9 $$"});
  ASSERT_FALSE(killed.ok());
  EXPECT_NE(killed.status().message().find("signal 9"), std::string::npos) << killed.status();
  absl::StatusOr<std::string> missing = RunCapturingOutput({"/no/such/program"});
  EXPECT_FALSE(missing.ok());
  EXPECT_FALSE(RunCapturingOutput({}).ok());
}

TEST(ChildProcessTest, AppendsOutputToAFileAndStopsWhatOutlivesTheGrace) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("wsfleet-child-" + std::to_string(::getpid()) + ".log")).string();
  std::filesystem::remove(path);
  absl::StatusOr<pid_t> first = SpawnWithOutputTo({"/bin/sh", "-c", "echo out; echo err >&2"}, path);
  ASSERT_TRUE(first.ok()) << first.status();
  int status = 0;
  ::waitpid(*first, &status, 0);
  // Ignores SIGTERM: only the SIGKILL after the grace ends it.
  absl::StatusOr<pid_t> stubborn = SpawnWithOutputTo({"/bin/sh", "-c", "trap '' TERM; echo up; sleep 30"}, path);
  ASSERT_TRUE(stubborn.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto began = std::chrono::steady_clock::now();
  StopProcesses({*stubborn}, std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(10));
  EXPECT_NE(::kill(*stubborn, 0), 0);  // reaped: gone
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "out\nerr\nup\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace wsfleet::common
