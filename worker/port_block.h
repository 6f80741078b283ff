#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace wsfleet::worker {

// A block of TCP ports for one attempt ($WSFLEET_PORT_BASE .. +size-1), so that parallel
// workstreams' dev servers and test servers do not clash, across every worker process on
// the machine: each block is held by an flock on a file in `directory`, released when the
// attempt ends or its process dies.
class PortBlock {
 public:
  static constexpr uint16_t kFirstPort = 20000;
  static constexpr uint16_t kBlockSize = 100;
  static constexpr int kBlocks = 100;  // 20000-29999

  // The lowest free block, or nothing when all are taken (or `directory` is unusable).
  static std::optional<PortBlock> Acquire(const std::string& directory);
  PortBlock(PortBlock&& other) noexcept;
  PortBlock& operator=(PortBlock&& other) noexcept;
  ~PortBlock();

  uint16_t base() const { return base_; }

 private:
  PortBlock(int fd, uint16_t base) : fd_(fd), base_(base) {}
  int fd_ = -1;
  uint16_t base_ = 0;
};

}  // namespace wsfleet::worker
