#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

// What a worker sends its guard server (`wsfleet-step-guard --serve FD`) for each step,
// over a Unix stream socket: a 4-byte length, then this many bytes of request. The first
// bytes carry four descriptors (SCM_RIGHTS): the step's stdout and stderr, the fence's read
// end and a status pipe's write end, through which the worker hears about the guard
// (GuardReport). Header-only: the guard's static binary and the worker both build it.
namespace wsfleet::step_guard {

struct GuardRequest {
  std::string workdir;            // empty: the server's own
  std::vector<std::string> args;  // the guard's command line, without its name (step_guard.h)
  std::vector<std::string> env;   // the step's whole environment, its tag included
};

constexpr int kGuardRequestFds = 4;  // stdout, stderr, fence, status

// Through the status pipe, in this order: kGuardStarted (the guard's process ID, or -errno
// when it could not be set up: its directory, say); kGuardSwept with the wait status it is
// about to end with, when the step has ended and nothing it started is left running (none
// when the guard was killed); kGuardEnded with its wait status, from the server.
enum GuardNews : int32_t { kGuardStarted = 1, kGuardSwept = 2, kGuardEnded = 3 };
struct GuardReport {
  int32_t news = 0;
  int32_t value = 0;
};
constexpr uint32_t kGuardRequestLimit = 64u << 20;

namespace wire {

inline void PutCount(std::string& out, uint32_t value) { out.append(reinterpret_cast<const char*>(&value), sizeof value); }

inline void PutText(std::string& out, std::string_view text) {
  PutCount(out, static_cast<uint32_t>(text.size()));
  out.append(text);
}

inline bool TakeCount(std::string_view& in, uint32_t& value) {
  if (in.size() < sizeof value) return false;
  std::memcpy(&value, in.data(), sizeof value);
  in.remove_prefix(sizeof value);
  return true;
}

inline bool TakeText(std::string_view& in, std::string& text) {
  uint32_t size = 0;
  if (!TakeCount(in, size) || in.size() < size) return false;
  text.assign(in.data(), size);
  in.remove_prefix(size);
  return true;
}

inline void PutList(std::string& out, const std::vector<std::string>& list) {
  PutCount(out, static_cast<uint32_t>(list.size()));
  for (const std::string& item : list) PutText(out, item);
}

inline bool TakeList(std::string_view& in, std::vector<std::string>& list) {
  uint32_t count = 0;
  if (!TakeCount(in, count) || count > in.size() / sizeof(uint32_t)) return false;
  list.resize(count);
  for (std::string& item : list) {
    if (!TakeText(in, item)) return false;
  }
  return true;
}

}  // namespace wire

// The request's bytes after its length.
inline std::string EncodeGuardRequest(const GuardRequest& request) {
  std::string out;
  wire::PutText(out, request.workdir);
  wire::PutList(out, request.args);
  wire::PutList(out, request.env);
  return out;
}

// False for bytes that are not a whole request (nothing more, nothing less).
inline bool DecodeGuardRequest(std::string_view in, GuardRequest& request) {
  return wire::TakeText(in, request.workdir) && wire::TakeList(in, request.args) &&
         wire::TakeList(in, request.env) && in.empty();
}

}  // namespace wsfleet::step_guard
