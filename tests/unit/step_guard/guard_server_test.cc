#include "step_guard/guard_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "step_guard/descriptors.h"
#include "step_guard/guard_request.h"

namespace wsfleet::step_guard {
namespace {

// A server in a child of the test (the test binary is single-threaded here), and the
// worker's end of its socket.
class GuardServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int ends[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends), 0);
    server_ = ::fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      ::close(ends[0]);
      ::_exit(ServeSteps(ends[1]));
    }
    ::close(ends[1]);
    socket_ = ends[0];
  }
  void TearDown() override {
    if (socket_ >= 0) ::close(socket_);
    if (server_ > 0) ::waitpid(server_, nullptr, 0);
  }

  // Sends `bytes` (the request after its length, or anything) with a step's descriptors;
  // returns the status pipe's read end.
  int Send(const std::string& bytes, uint32_t size) {
    int status[2], out[2], fence[2];
    EXPECT_EQ(::pipe2(status, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(fence, O_CLOEXEC), 0);
    std::string message(reinterpret_cast<const char*>(&size), sizeof size);
    message += bytes;
    const int fds[kGuardRequestFds] = {out[1], out[1], fence[0], status[1]};
    EXPECT_EQ(SendWithDescriptors(socket_, message, fds), 0);
    for (int fd : {status[1], out[0], out[1], fence[0]}) ::close(fd);
    fences_.push_back(fence[1]);  // held until the test ends: the guard's worker is "there"
    return status[0];
  }

  GuardReport Next(int status_fd) {
    GuardReport report;
    EXPECT_EQ(::read(status_fd, &report, sizeof report), static_cast<ssize_t>(sizeof report));
    return report;
  }

  pid_t server_ = 0;
  int socket_ = -1;
  std::vector<int> fences_;

  ~GuardServerTest() override {
    for (int fd : fences_) ::close(fd);
  }
};

TEST_F(GuardServerTest, ARequestItCannotReadIsRefusedAndTheNextIsServed) {
  int refused = Send("not a request", 13);
  GuardReport report = Next(refused);
  EXPECT_EQ(report.news, kGuardStarted);
  EXPECT_EQ(report.value, -EINVAL);
  ::close(refused);

  GuardRequest bad_arguments{"", {"3", "--user", "0", "0", "-", "--", "/bin/true"}, {}};  // never root
  std::string bytes = EncodeGuardRequest(bad_arguments);
  int refused_again = Send(bytes, static_cast<uint32_t>(bytes.size()));
  EXPECT_EQ(Next(refused_again).value, -EINVAL);
  ::close(refused_again);

  GuardRequest good{"", {"3", "--", "/bin/sh", "-c", "exit 7"}, {"PATH=/usr/bin:/bin"}};
  bytes = EncodeGuardRequest(good);
  int served = Send(bytes, static_cast<uint32_t>(bytes.size()));
  report = Next(served);
  EXPECT_EQ(report.news, kGuardStarted);
  EXPECT_GT(report.value, 0);
  report = Next(served);
  EXPECT_EQ(report.news, kGuardSwept);
  EXPECT_TRUE(WIFEXITED(report.value) && WEXITSTATUS(report.value) == 7);
  report = Next(served);
  EXPECT_EQ(report.news, kGuardEnded);
  EXPECT_TRUE(WIFEXITED(report.value) && WEXITSTATUS(report.value) == 7);
  ::close(served);
}

// A length past the limit: the stream is out of step, and the server leaves rather than
// read a gigabyte or guess where the next request starts.
TEST_F(GuardServerTest, ALengthPastTheLimitEndsTheServer) {
  int status = Send("", kGuardRequestLimit + 1);
  int exit_status = 0;
  ASSERT_EQ(::waitpid(server_, &exit_status, 0), server_);
  server_ = 0;
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0);
  GuardReport report;
  EXPECT_EQ(::read(status, &report, sizeof report), 0);  // nothing started, and no hang
  ::close(status);
}

TEST(GuardRequestTest, DecodesWhatItEncodedAndNothingElse) {
  GuardRequest request{"/work", {"3", "--", "/bin/sh", "-c", std::string("a\0b", 3)}, {"A=1", ""}};
  std::string bytes = EncodeGuardRequest(request);
  GuardRequest decoded;
  ASSERT_TRUE(DecodeGuardRequest(bytes, decoded));
  EXPECT_EQ(decoded.workdir, request.workdir);
  EXPECT_EQ(decoded.args, request.args);
  EXPECT_EQ(decoded.env, request.env);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeGuardRequest(std::string_view(bytes).substr(0, cut), decoded)) << cut;
  }
  EXPECT_FALSE(DecodeGuardRequest(bytes + "x", decoded));
  std::string huge_count = bytes.substr(0, 4 + request.workdir.size()) + std::string("\xff\xff\xff\x7f", 4);
  EXPECT_FALSE(DecodeGuardRequest(huge_count, decoded));
}

}  // namespace
}  // namespace wsfleet::step_guard
