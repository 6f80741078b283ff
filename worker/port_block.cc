#include "worker/port_block.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

namespace wsfleet::worker {

std::optional<PortBlock> PortBlock::Acquire(const std::string& directory) {
  std::error_code ignored;
  std::filesystem::create_directories(directory, ignored);
  for (int block = 0; block < kBlocks; ++block) {
    auto base = static_cast<uint16_t>(kFirstPort + block * kBlockSize);
    std::string path = directory + "/" + std::to_string(base) + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return std::nullopt;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return PortBlock(fd, base);
    ::close(fd);
  }
  return std::nullopt;
}

PortBlock::PortBlock(PortBlock&& other) noexcept : fd_(other.fd_), base_(other.base_) {
  other.fd_ = -1;
}

PortBlock& PortBlock::operator=(PortBlock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    base_ = other.base_;
    other.fd_ = -1;
  }
  return *this;
}

PortBlock::~PortBlock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace wsfleet::worker
