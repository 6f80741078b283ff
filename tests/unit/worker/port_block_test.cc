#include "worker/port_block.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace wsfleet::worker {
namespace {

TEST(PortBlockTest, BlocksAreExclusiveAndFreedWithTheirHolder) {
  std::string directory = (std::filesystem::temp_directory_path() /
                           ("wsfleet-ports-" + std::to_string(::getpid())))
                              .string();
  std::optional<PortBlock> first = PortBlock::Acquire(directory);
  std::optional<PortBlock> second = PortBlock::Acquire(directory);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->base(), 20000);
  EXPECT_EQ(second->base(), 20100);
  first.reset();
  std::optional<PortBlock> again = PortBlock::Acquire(directory);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->base(), 20000) << "a released block is the first to go again";
  std::filesystem::remove_all(directory);
}

TEST(PortBlockTest, AnUnusableDirectoryGivesNone) {
  EXPECT_FALSE(PortBlock::Acquire("/proc/no-such-place").has_value());
}

}  // namespace
}  // namespace wsfleet::worker
