#include "rendezvous/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <vector>

#include "rendezvous/client.h"
#include "rendezvous/wire.h"

namespace wsfleet::rendezvous {
namespace {

using namespace std::chrono_literals;

// A server whose PUTs are recorded; the test plays the coordinator by Offer()ing values.
class RendezvousServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start().ok()); }

  std::vector<std::pair<std::string, std::string>> Published() {
    std::lock_guard<std::mutex> lock(mutex_);
    return published_;
  }

  // Sends raw bytes and returns the whole reply.
  std::string Raw(const std::string& request) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, server_.socket_path().c_str());
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_TRUE(WriteAll(fd, request).ok());
    ::shutdown(fd, SHUT_WR);
    std::string reply;
    char buffer[256];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<size_t>(got));
    ::close(fd);
    return reply;
  }

  std::mutex mutex_;
  std::vector<std::pair<std::string, std::string>> published_;
  Server server_{[this](const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> lock(mutex_);
    published_.emplace_back(key, value);
  }};
};

TEST_F(RendezvousServerTest, APutIsPublishedAndAGetWaitsForTheRelayedValue) {
  std::string id(128, '\0');
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<char>(i * 7);  // binary, NULs too
  auto waiting = std::async(std::launch::async, [&] {
    return Get(server_.socket_path(), "nccl-id", 10s);
  });
  ASSERT_TRUE(Put(server_.socket_path(), "nccl-id", id).ok());
  ASSERT_EQ(Published().size(), 1u);
  EXPECT_EQ(Published()[0], std::make_pair(std::string("nccl-id"), id));
  // Published is not yet visible: only what comes back from the coordinator is.
  EXPECT_EQ(waiting.wait_for(100ms), std::future_status::timeout);
  server_.Offer("nccl-id", id);
  absl::StatusOr<std::string> got = waiting.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, id);
  // Later readers get it at once.
  EXPECT_EQ(*Get(server_.socket_path(), "nccl-id", 0ms), id);
}

TEST_F(RendezvousServerTest, AGetThatIsNotAnsweredInTimeSaysSo) {
  absl::StatusOr<std::string> got = Get(server_.socket_path(), "never", 50ms);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded) << got.status();
  EXPECT_NE(got.status().message().find("no value for never after 50 ms"), std::string::npos);
}

TEST_F(RendezvousServerTest, AKeysFirstValueStands) {
  ASSERT_TRUE(Put(server_.socket_path(), "k", "one").ok());
  EXPECT_TRUE(Put(server_.socket_path(), "k", "one").ok()) << "the same value again is fine";
  absl::Status again = Put(server_.socket_path(), "k", "two");
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.message().find("already set to another value"), std::string::npos);
  server_.Offer("relayed", "x");
  EXPECT_FALSE(Put(server_.socket_path(), "relayed", "y").ok());
  EXPECT_EQ(Published().size(), 1u);
}

TEST_F(RendezvousServerTest, MalformedRequestsGetAnErrorNotAHang) {
  EXPECT_EQ(Raw("HELLO\n").rfind("ERR expected", 0), 0u);
  EXPECT_EQ(Raw("PUT k 10\nshort").rfind("ERR the connection closed after 5 of 10 bytes", 0), 0u);
  EXPECT_EQ(Raw(std::string(500, 'x')).rfind("ERR line too long", 0), 0u);
  EXPECT_EQ(Raw("").rfind("ERR", 0), 0u);
  EXPECT_TRUE(Published().empty());
}

TEST_F(RendezvousServerTest, ClientRefusesBadKeysAndOversizedValues) {
  EXPECT_EQ(Put(server_.socket_path(), "a/b", "v").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Put(server_.socket_path(), "k", std::string(kMaxValueBytes + 1, 'v')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Put(server_.socket_path(), "big", std::string(kMaxValueBytes, 'v')).ok());
}

TEST_F(RendezvousServerTest, StopEndsWaitingGetsAndRemovesTheSocket) {
  auto waiting = std::async(std::launch::async, [&] {
    return Get(server_.socket_path(), "never", 60s);
  });
  std::this_thread::sleep_for(50ms);
  std::string path = server_.socket_path();
  server_.Stop();
  absl::StatusOr<std::string> got = waiting.get();
  EXPECT_FALSE(got.ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(path).parent_path()));
  EXPECT_EQ(Get(path, "k", 0ms).status().code(), absl::StatusCode::kUnavailable);
  server_.Stop();  // again: nothing happens
}

}  // namespace
}  // namespace wsfleet::rendezvous
