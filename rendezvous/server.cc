#include "rendezvous/server.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rendezvous/wire.h"

namespace wsfleet::rendezvous {
namespace {

// Enough for every local process of a node at once, with room; more waits in the backlog.
constexpr int kMaxConnections = 64;
// A client that connects and says nothing must not hold a handler forever.
constexpr int kRequestTimeoutSeconds = 30;

}  // namespace

Server::Server(Publish publish) : publish_(std::move(publish)) {}

Server::~Server() { Stop(); }

absl::Status Server::Start(const std::string& runtime_dir) {
  std::string base = runtime_dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  // A private directory (0700) keeps other users off the socket; short, because a unix
  // socket's path is limited to 107 bytes.
  std::string pattern = base + "/wsfleet-rdv-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError("cannot create a directory under " + base + ": " + std::strerror(errno));
  }
  directory_ = pattern;
  socket_path_ = directory_ + "/socket";
  sockaddr_un address{};
  if (socket_path_.size() >= sizeof address.sun_path) {
    return absl::InvalidArgumentError("rendezvous socket path too long: " + socket_path_);
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, kMaxConnections) != 0 || ::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    return absl::InternalError("cannot serve " + socket_path_ + ": " + std::strerror(errno));
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void Server::Offer(const std::string& key, const std::string& value) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    values_.emplace(key, value);
  }
  arrived_.notify_all();
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  }
  arrived_.notify_all();
  if (wake_pipe_[1] >= 0) {
    char byte = 0;
    [[maybe_unused]] ssize_t ignored = ::write(wake_pipe_[1], &byte, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    handlers_done_.wait(lock, [this] { return active_handlers_ == 0; });
  }
  for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
  listen_fd_ = wake_pipe_[0] = wake_pipe_[1] = -1;
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
  if (!directory_.empty()) ::rmdir(directory_.c_str());
}

void Server::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int ready = ::poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || (fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    timeval timeout{kRequestTimeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || active_handlers_ >= kMaxConnections) {
      WriteAll(fd, "ERR busy: too many connections\n").IgnoreError();
      ::close(fd);
      continue;
    }
    ++active_handlers_;
    connections_.insert(fd);
    std::thread([this, fd] { Serve(fd); }).detach();
  }
}

std::string Server::HandlePut(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto* known : {&values_, &published_}) {
    auto found = known->find(key);
    if (found != known->end()) {
      return found->second == value ? "OK\n" : "ERR " + key + " is already set to another value\n";
    }
  }
  published_.emplace(key, value);
  publish_(key, value);
  return "OK\n";
}

void Server::Serve(int fd) {
  std::string reply;
  absl::StatusOr<std::string> line = ReadLine(fd);
  absl::StatusOr<Request> request =
      line.ok() ? ParseRequest(*line) : absl::StatusOr<Request>(line.status());
  if (!request.ok()) {
    reply = "ERR " + std::string(request.status().message()) + "\n";
  } else if (request->verb == Request::Verb::kPut) {
    std::string value;
    absl::Status read = ReadExactly(fd, request->length, value);
    reply = read.ok() ? HandlePut(request->key, value) : "ERR " + std::string(read.message()) + "\n";
  } else {
    std::unique_lock<std::mutex> lock(mutex_);
    bool found = arrived_.wait_for(lock, request->timeout, [&] {
      return stopping_ || values_.count(request->key) != 0;
    });
    if (values_.count(request->key) != 0) {
      const std::string& value = values_.at(request->key);
      reply = "OK " + std::to_string(value.size()) + "\n" + value;
    } else if (stopping_) {
      reply = "ERR the attempt ended\n";
    } else {
      (void)found;
      reply = "ERR timeout: no value for " + request->key + " after " +
              std::to_string(request->timeout.count()) + " ms\n";
    }
  }
  WriteAll(fd, reply).IgnoreError();
  std::lock_guard<std::mutex> lock(mutex_);
  connections_.erase(fd);
  ::close(fd);
  if (--active_handlers_ == 0) handlers_done_.notify_all();
}

}  // namespace wsfleet::rendezvous
