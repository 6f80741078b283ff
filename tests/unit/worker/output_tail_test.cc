#include "worker/output_tail.h"

#include <gtest/gtest.h>

namespace wsfleet::worker {
namespace {

std::string Joined(std::deque<std::pair<OutputStream, std::string>> pieces) {
  std::string out;
  for (auto& [stream, data] : pieces) out += (stream == OutputStream::kStdout ? "o:" : "e:") + data + "|";
  return out;
}

TEST(OutputTailTest, KeepsTheLastBytesWithTheirStreamsAndCountsTheRest) {
  OutputTail tail(10);
  tail.Add(OutputStream::kStdout, "aaaaaa");
  tail.Add(OutputStream::kStderr, "bbbb");
  EXPECT_EQ(tail.dropped(), 0u);
  tail.Add(OutputStream::kStdout, "cc");  // 12 bytes: the first two a's fall out
  EXPECT_EQ(tail.dropped(), 2u);
  EXPECT_EQ(tail.size(), 10u);
  EXPECT_EQ(Joined(tail.Take()), "o:aaaa|e:bbbb|o:cc|");
  EXPECT_EQ(tail.size(), 0u);
}

TEST(OutputTailTest, APieceLargerThanTheTailKeepsItsEnd) {
  OutputTail tail(4);
  tail.Add(OutputStream::kStdout, "xy");
  tail.Add(OutputStream::kStdout, "0123456789");
  EXPECT_EQ(tail.dropped(), 8u);  // xy and 012345
  EXPECT_EQ(Joined(tail.Take()), "o:6789|");
}

TEST(OutputTailTest, NoTailDropsEverything) {
  OutputTail tail(0);
  tail.Add(OutputStream::kStdout, "abc");
  EXPECT_EQ(tail.dropped(), 3u);
  EXPECT_TRUE(tail.Take().empty());
}

}  // namespace
}  // namespace wsfleet::worker
