#include "common/listener_waker.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wsfleet::common {
namespace {

// A listener on 127.0.0.1 or 0.0.0.0, port 0; its port.
int Listen(uint32_t address, int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  bound.sin_addr.s_addr = htonl(address);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound), 0);
  EXPECT_EQ(::listen(fd, 16), 0);
  socklen_t size = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &size);
  *port = ntohs(bound.sin_port);
  return fd;
}

bool ConnectionWithin(int listener, int milliseconds) {
  pollfd waiting{listener, POLLIN, 0};
  return ::poll(&waiting, 1, milliseconds) == 1;
}

TEST(ListenerWakerTest, ConnectsToTheListenerUntilDestroyed) {
  int port = 0;
  int listener = Listen(INADDR_LOOPBACK, &port);
  {
    ListenerWaker waker("127.0.0.1", port);
    EXPECT_TRUE(ConnectionWithin(listener, 30000));
  }
  // Gone: what it queued is drained, then nothing more comes.
  while (ConnectionWithin(listener, 0)) ::close(::accept(listener, nullptr, nullptr));
  EXPECT_FALSE(ConnectionWithin(listener, 100));
  ::close(listener);
}

TEST(ListenerWakerTest, AWildcardHostMeansLoopback) {
  int port = 0;
  int listener = Listen(INADDR_ANY, &port);
  ListenerWaker waker("0.0.0.0", port);
  EXPECT_TRUE(ConnectionWithin(listener, 30000));
  ::close(listener);
}

}  // namespace
}  // namespace wsfleet::common
