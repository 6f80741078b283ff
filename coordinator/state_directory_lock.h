#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace wsfleet::coordinator {

// One coordinator per state directory: an exclusive flock on STATE/owner.lock, held for
// the owner's life and let go by the kernel however it ends (kill -9 included). The file
// says who holds it (pid, what, since when), for the refusal a second one gets.
class StateDirectoryLock {
 public:
  // `owner`: what the holder is ("wsfleet coordinator", "wsfleet run"). Makes the
  // directory (0700) when missing. FAILED_PRECONDITION naming the holder when it is taken.
  static absl::StatusOr<std::unique_ptr<StateDirectoryLock>> Acquire(const std::string& state_dir,
                                                                     const std::string& owner);
  ~StateDirectoryLock();
  StateDirectoryLock(const StateDirectoryLock&) = delete;
  StateDirectoryLock& operator=(const StateDirectoryLock&) = delete;

 private:
  explicit StateDirectoryLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace wsfleet::coordinator
