#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "worker/step_runner.h"

namespace wsfleet::worker {

// The last `limit` bytes of a step's output past the cap, each piece with its stream, so
// that a step whose output ran over the cap still shows how it ended (where runners print
// their verdicts). What falls out of it is counted, not kept.
class OutputTail {
 public:
  explicit OutputTail(size_t limit) : limit_(limit) {}

  void Add(OutputStream stream, std::string_view data);
  // What is kept, oldest first; each piece once (taking it empties the tail).
  std::deque<std::pair<OutputStream, std::string>> Take();
  uint64_t dropped() const { return dropped_; }
  size_t size() const { return size_; }

 private:
  size_t limit_;
  std::deque<std::pair<OutputStream, std::string>> pieces_;
  size_t size_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace wsfleet::worker
