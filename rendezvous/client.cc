#include "rendezvous/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "rendezvous/wire.h"

namespace wsfleet::rendezvous {
namespace {

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  absl::Status Open(const std::string& path) {
    sockaddr_un address{};
    if (path.size() >= sizeof address.sun_path) {
      return absl::InvalidArgumentError("socket path too long: " + path);
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return absl::UnavailableError("cannot reach the rendezvous at " + path + ": " +
                                    std::strerror(errno) + " (has the attempt ended?)");
    }
    return absl::OkStatus();
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// "OK ..." -> the rest; "ERR reason" -> the error, as the server's status code suggests.
absl::StatusOr<std::string> Reply(int fd) {
  absl::StatusOr<std::string> line = ReadLine(fd);
  if (!line.ok()) return line.status();
  if (*line == "OK") return std::string();
  if (line->rfind("OK ", 0) == 0) return line->substr(3);
  if (line->rfind("ERR timeout", 0) == 0) return absl::DeadlineExceededError(line->substr(4));
  if (line->rfind("ERR ", 0) == 0) return absl::FailedPreconditionError(line->substr(4));
  return absl::InternalError("unexpected reply: " + *line);
}

}  // namespace

absl::StatusOr<std::string> SocketFromEnvironment() {
  const char* path = std::getenv(kSocketVariable);
  if (path == nullptr || *path == '\0') {
    return absl::FailedPreconditionError(
        std::string("$") + kSocketVariable +
        " is not set: only the steps of a multi-node card (Nodes: N) or of one with GPUs get a "
        "rendezvous");
  }
  return std::string(path);
}

absl::Status Put(const std::string& socket, const std::string& key, std::string_view value) {
  if (!ValidKey(key)) return absl::InvalidArgumentError("a key is 1-64 of A-Z a-z 0-9 . _ -");
  if (value.size() > kMaxValueBytes) {
    return absl::InvalidArgumentError("a value is at most " + std::to_string(kMaxValueBytes) + " bytes");
  }
  Connection connection;
  if (absl::Status status = connection.Open(socket); !status.ok()) return status;
  if (absl::Status status = WriteAll(connection.fd(), FormatPut(key, value.size())); !status.ok()) {
    return status;
  }
  if (absl::Status status = WriteAll(connection.fd(), value); !status.ok()) return status;
  return Reply(connection.fd()).status();
}

absl::StatusOr<std::string> Get(const std::string& socket, const std::string& key,
                                std::chrono::milliseconds timeout) {
  if (!ValidKey(key)) return absl::InvalidArgumentError("a key is 1-64 of A-Z a-z 0-9 . _ -");
  Connection connection;
  if (absl::Status status = connection.Open(socket); !status.ok()) return status;
  if (absl::Status status = WriteAll(connection.fd(), FormatGet(key, timeout)); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> header = Reply(connection.fd());
  if (!header.ok()) return header.status();
  char* end = nullptr;
  unsigned long long length = std::strtoull(header->c_str(), &end, 10);
  if (header->empty() || *end != '\0' || length > kMaxValueBytes) {
    return absl::InternalError("unexpected reply length: " + *header);
  }
  std::string value;
  if (absl::Status status = ReadExactly(connection.fd(), static_cast<size_t>(length), value);
      !status.ok()) {
    return status;
  }
  return value;
}

}  // namespace wsfleet::rendezvous
