#pragma once

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string_view>

// What the worker and its guard server both do with their socket, pipes and children.
// Header-only: the guard's static binary and the worker both build it. Each function makes
// system calls only, so a child of the multi-threaded worker may call them before exec.
namespace wsfleet::step_guard {

// Reads exactly `size` bytes; false at the end of the stream or on an error first.
inline bool ReadFully(int fd, void* data, size_t size) {
  char* into = static_cast<char*>(data);
  while (size > 0) {
    ssize_t got = ::read(fd, into, size);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    into += got;
    size -= static_cast<size_t>(got);
  }
  return true;
}

// Sends all of `bytes` on a stream socket, `count` descriptors with its first byte. 0, or
// errno (EPIPE: the peer is gone; nothing was taken if the first send failed).
template <size_t kCount>
int SendWithDescriptors(int socket, std::string_view bytes, const int (&fds)[kCount]) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof fds)] = {};
  iovec io{const_cast<char*>(bytes.data()), bytes.size()};
  msghdr header{};
  header.msg_iov = &io;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = sizeof control;
  cmsghdr* part = CMSG_FIRSTHDR(&header);
  part->cmsg_level = SOL_SOCKET;
  part->cmsg_type = SCM_RIGHTS;
  part->cmsg_len = CMSG_LEN(sizeof fds);
  std::memcpy(CMSG_DATA(part), fds, sizeof fds);
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t wrote = sent == 0 ? ::sendmsg(socket, &header, MSG_NOSIGNAL)
                              : ::send(socket, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return errno;
    sent += static_cast<size_t>(wrote);
  }
  return 0;
}

// Every signal's default action and none blocked: what a child about to run a step (or
// the guard server) starts from, whatever its parent had set.
inline void DefaultSignals() {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &default_action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace wsfleet::step_guard
