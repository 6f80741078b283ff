// The daemons' log: flags, the two line formats, and the limiter that keeps floods short.

#include "common/log.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "tests/support/fake_clock.h"

namespace wsfleet::common {
namespace {

using namespace std::chrono_literals;

TEST(LogTest, FlagsAreCheckedAndNamedInTheError) {
  EXPECT_TRUE(ParseLogOptions("debug", "json").ok());
  absl::StatusOr<LogOptions> level = ParseLogOptions("loud", "text");
  EXPECT_EQ(level.status().message(), "--log-level loud: takes trace, debug, info, warn, error or off");
  absl::StatusOr<LogOptions> format = ParseLogOptions("info", "xml");
  EXPECT_EQ(format.status().message(), "--log-format xml: takes text or json");
}

TEST(LogTest, JsonLinesAreOneObjectEachWhateverTheMessageHolds) {
  std::ostringstream out;
  LogOptions options = *ParseLogOptions("info", "json");
  auto logger = MakeLogger("coordinator", options, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->warn("worker {} said \"hi\"\nand\tleft \xff", "w1");
  logger->debug("not at info");
  std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  nlohmann::json line = nlohmann::json::parse(text);
  EXPECT_EQ(line["level"], "warning");
  EXPECT_EQ(line["component"], "coordinator");
  EXPECT_EQ(line["msg"].get<std::string>().substr(0, 25), "worker w1 said \"hi\"\nand\tl");
  EXPECT_TRUE(std::string(line["ts"]).ends_with("Z"));
  EXPECT_EQ(std::string(line["ts"]).size(), 24u) << "2026-12-03T08:52:17.123Z";
}

TEST(LogTest, TextLinesHaveATimestampTheLevelAndTheComponent) {
  std::ostringstream out;
  auto logger = MakeLogger("worker", *ParseLogOptions("info", "text"),
                           std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->info("draining");
  std::string line = out.str();
  EXPECT_TRUE(line.ends_with("Z info worker: draining\n")) << line;
  EXPECT_EQ(line[4], '-');
  EXPECT_EQ(line[10], 'T');
}

TEST(LogTest, TheLimiterSaysOneThingOnceAnIntervalAndCountsWhatItHeldBack) {
  testing::FakeClock clock;
  LogLimiter limiter(clock, 60s);
  uint64_t held = 99;
  EXPECT_TRUE(limiter.Allow("refused w1", &held));
  EXPECT_EQ(held, 0u);
  EXPECT_FALSE(limiter.Allow("refused w1", &held));
  EXPECT_FALSE(limiter.Allow("refused w1", &held));
  EXPECT_TRUE(limiter.Allow("refused w2", &held)) << "keys are apart";
  clock.Advance(60s);
  EXPECT_TRUE(limiter.Allow("refused w1", &held));
  EXPECT_EQ(held, 2u);
}

}  // namespace
}  // namespace wsfleet::common
