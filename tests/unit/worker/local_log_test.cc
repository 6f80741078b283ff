#include "worker/local_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wsfleet::worker {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

v1::LogChunk Chunk(const std::string& data, bool transcript = false) {
  v1::LogChunk chunk;
  chunk.set_data(data);
  chunk.set_transcript(transcript);
  return chunk;
}

class LocalLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wsfleet-local-log-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LocalLogTest, AppendsAndNamesWhereTheBytesAre) {
  fs::path log = dir_ / "logs" / "WS-01" / "a1.log";
  fs::path transcript = dir_ / "transcripts" / "WS-01" / "a1.jsonl";
  LocalLog local(log.string(), transcript.string());
  v1::LogChunk first = Chunk("hello\n");
  v1::LogChunk agent = Chunk("{\"type\":\"result\"}\n", /*transcript=*/true);
  ASSERT_TRUE(local.Take(first));
  ASSERT_TRUE(local.Take(agent));
  EXPECT_TRUE(first.in_file());
  EXPECT_EQ(first.data(), "");
  EXPECT_EQ(first.offset(), 0u);
  EXPECT_EQ(first.length(), 6u);
  EXPECT_EQ(agent.offset(), 6u);
  EXPECT_EQ(agent.length(), 18u);
  EXPECT_EQ(Read(log), "hello\n{\"type\":\"result\"}\n");
  EXPECT_EQ(Read(transcript), "{\"type\":\"result\"}\n") << "the transcript holds the agent's chunks alone";
}

TEST_F(LocalLogTest, ContinuesAFileLeftBefore) {
  fs::path log = dir_ / "a1.log";
  fs::create_directories(dir_);
  std::ofstream(log) << "earlier\n";
  LocalLog local(log.string(), (dir_ / "a1.jsonl").string());
  v1::LogChunk chunk = Chunk("later\n");
  ASSERT_TRUE(local.Take(chunk));
  EXPECT_EQ(chunk.offset(), 8u);
  EXPECT_EQ(Read(log), "earlier\nlater\n");
}

TEST_F(LocalLogTest, AFailureLeavesTheChunkToCarryItsBytesFromThenOn) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";  // a file where the log's directory should be
  LocalLog local((dir_ / "file" / "a1.log").string(), (dir_ / "a1.jsonl").string());
  v1::LogChunk chunk = Chunk("kept in the event\n");
  EXPECT_FALSE(local.Take(chunk));
  EXPECT_FALSE(chunk.in_file());
  EXPECT_EQ(chunk.data(), "kept in the event\n");
  v1::LogChunk next = Chunk("and this\n");
  EXPECT_FALSE(local.Take(next));
  EXPECT_EQ(next.data(), "and this\n");
}

}  // namespace
}  // namespace wsfleet::worker
