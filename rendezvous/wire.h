#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// The rendezvous API's wire format, on a unix stream socket named by $WSFLEET_RENDEZVOUS
// (one request per connection):
//
//   PUT <key> <length>\n<length bytes>   ->  OK\n                       | ERR <reason>\n
//   GET <key> <timeout_ms>\n             ->  OK <length>\n<length bytes> | ERR <reason>\n
//
// A key is 1-64 of [A-Za-z0-9._-]; a value at most 64 KiB. PUT publishes the value to every
// rank of the gang (through the worker and the coordinator); GET waits until the value of
// the key has arrived (the putter's own GET included) or the timeout passes. Text framing
// so that a shell or a few lines of any language can speak it.
namespace wsfleet::rendezvous {

inline constexpr size_t kMaxKeyBytes = 64;
inline constexpr size_t kMaxValueBytes = 64 << 10;
inline constexpr size_t kMaxHeaderBytes = 128;
inline constexpr std::chrono::milliseconds kMaxWait = std::chrono::hours(24);
// The environment variable that names the socket in an attempt's steps.
inline constexpr const char* kSocketVariable = "WSFLEET_RENDEZVOUS";

bool ValidKey(std::string_view key);

struct Request {
  enum class Verb { kPut, kGet } verb;
  std::string key;
  size_t length = 0;                   // PUT: the value's bytes that follow
  std::chrono::milliseconds timeout{};  // GET
};

// Parses a request's header line (without the newline).
absl::StatusOr<Request> ParseRequest(std::string_view line);
std::string FormatPut(const std::string& key, size_t length);
std::string FormatGet(const std::string& key, std::chrono::milliseconds timeout);

// Reads up to and excluding '\n' (at most kMaxHeaderBytes); then exactly `length` bytes.
absl::StatusOr<std::string> ReadLine(int fd);
absl::Status ReadExactly(int fd, size_t length, std::string& out);
absl::Status WriteAll(int fd, std::string_view data);

}  // namespace wsfleet::rendezvous
