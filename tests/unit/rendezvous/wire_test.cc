#include "rendezvous/wire.h"

#include <gtest/gtest.h>

namespace wsfleet::rendezvous {
namespace {

TEST(RendezvousWireTest, ParsesPutAndGet) {
  absl::StatusOr<Request> put = ParseRequest("PUT nccl-id.0 128");
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(put->verb, Request::Verb::kPut);
  EXPECT_EQ(put->key, "nccl-id.0");
  EXPECT_EQ(put->length, 128u);
  absl::StatusOr<Request> get = ParseRequest("GET nccl-id.0 30000");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->verb, Request::Verb::kGet);
  EXPECT_EQ(get->timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(ParseRequest(FormatPut("k", 5).substr(0, FormatPut("k", 5).size() - 1))->length, 5u);
}

TEST(RendezvousWireTest, RefusesWhatIsNotARequest) {
  for (const char* line : {"", "PUT", "PUT k", "DEL k 1", "PUT k -1", "PUT k 1x", "PUT k 1 2",
                           "PUT bad/key 1", "PUT  1", "GET k 99999999999999", "put k 1"}) {
    EXPECT_FALSE(ParseRequest(line).ok()) << "'" << line << "'";
  }
  EXPECT_FALSE(ParseRequest("PUT k " + std::to_string(kMaxValueBytes + 1)).ok());
  EXPECT_TRUE(ParseRequest("PUT k " + std::to_string(kMaxValueBytes)).ok());
}

TEST(RendezvousWireTest, KeysAreShortAndPlain) {
  EXPECT_TRUE(ValidKey("nccl-id_0.A"));
  EXPECT_FALSE(ValidKey(""));
  EXPECT_FALSE(ValidKey(std::string(65, 'k')));
  EXPECT_TRUE(ValidKey(std::string(64, 'k')));
  EXPECT_FALSE(ValidKey("a b"));
  EXPECT_FALSE(ValidKey("a\nb"));
}

TEST(RendezvousWireTest, WaitsAreCapped) {
  EXPECT_EQ(ParseRequest("GET k 999999999999")->timeout,
            std::chrono::duration_cast<std::chrono::milliseconds>(kMaxWait));
}

}  // namespace
}  // namespace wsfleet::rendezvous
