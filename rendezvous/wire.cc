#include "rendezvous/wire.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace wsfleet::rendezvous {
namespace {

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t space = line.find(' ', start);
    if (space == std::string_view::npos) space = line.size();
    fields.push_back(line.substr(start, space - start));
    start = space + 1;
  }
  return fields;
}

std::optional<uint64_t> Number(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<Request> ParseRequest(std::string_view line) {
  std::vector<std::string_view> fields = Fields(line);
  if (fields.size() != 3 || (fields[0] != "PUT" && fields[0] != "GET")) {
    return absl::InvalidArgumentError("expected 'PUT <key> <length>' or 'GET <key> <timeout_ms>'");
  }
  if (!ValidKey(fields[1])) {
    return absl::InvalidArgumentError("a key is 1-64 of A-Z a-z 0-9 . _ -");
  }
  std::optional<uint64_t> number = Number(fields[2]);
  if (!number) return absl::InvalidArgumentError("'" + std::string(fields[2]) + "' is not a number");
  Request request;
  request.key = std::string(fields[1]);
  if (fields[0] == "PUT") {
    if (*number > kMaxValueBytes) {
      return absl::InvalidArgumentError("a value is at most " + std::to_string(kMaxValueBytes) +
                                        " bytes");
    }
    request.verb = Request::Verb::kPut;
    request.length = static_cast<size_t>(*number);
  } else {
    request.verb = Request::Verb::kGet;
    request.timeout = std::min(std::chrono::milliseconds(*number), std::chrono::milliseconds(kMaxWait));
  }
  return request;
}

std::string FormatPut(const std::string& key, size_t length) {
  return "PUT " + key + " " + std::to_string(length) + "\n";
}

std::string FormatGet(const std::string& key, std::chrono::milliseconds timeout) {
  return "GET " + key + " " + std::to_string(timeout.count()) + "\n";
}

absl::StatusOr<std::string> ReadLine(int fd) {
  std::string line;
  char c;
  while (true) {
    ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::UnavailableError(std::string("read: ") + std::strerror(errno));
    if (got == 0) return absl::UnavailableError("the connection closed mid-line");
    if (c == '\n') return line;
    if (line.size() >= kMaxHeaderBytes) return absl::InvalidArgumentError("line too long");
    line += c;
  }
}

absl::Status ReadExactly(int fd, size_t length, std::string& out) {
  out.resize(length);
  size_t done = 0;
  while (done < length) {
    ssize_t got = ::read(fd, out.data() + done, length - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::UnavailableError(std::string("read: ") + std::strerror(errno));
    if (got == 0) {
      return absl::UnavailableError("the connection closed after " + std::to_string(done) + " of " +
                                    std::to_string(length) + " bytes");
    }
    done += static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t wrote = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return absl::UnavailableError(std::string("write: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(wrote));
  }
  return absl::OkStatus();
}

}  // namespace wsfleet::rendezvous
