#include "common/listener_waker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace wsfleet::common {
namespace {

void ConnectOnce(const std::string& host, int port) {
  bool v6 = host.find(':') != std::string::npos;
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (v6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET6, host == "::" ? "::1" : host.c_str(), &address.sin6_addr) == 1) {
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), &address.sin_addr) == 1) {
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    }
  }
  ::close(fd);
}

}  // namespace

ListenerWaker::ListenerWaker(std::string host, int port) {
  // "[::1]" as civetweb and URLs write it: the address inside the brackets.
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  thread_ = std::thread([this, host, port] {
    for (int tries = 0; tries < 250 && !done_; ++tries) {
      ConnectOnce(host, port);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

ListenerWaker::~ListenerWaker() {
  done_ = true;
  thread_.join();
}

}  // namespace wsfleet::common
