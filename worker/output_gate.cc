#include "worker/output_gate.h"

namespace wsfleet::worker {

void OutputGate::Acquire(size_t bytes) {
  std::unique_lock<std::mutex> lock(mutex_);
  // One chunk always goes (pending 0), so a chunk larger than the limit cannot wedge.
  room_.wait_for(lock, max_wait_, [&] {
    size_t pending = held_ + on_the_way_;
    return !draining_ || pending == 0 || pending + bytes <= limit_;
  });
  on_the_way_ += bytes;
}

void OutputGate::Arrived(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  on_the_way_ -= std::min(bytes, on_the_way_);
}

void OutputGate::SetHeld(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ = bytes;
  }
  room_.notify_all();
}

void OutputGate::SetDraining(bool draining) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    draining_ = draining;
  }
  room_.notify_all();
}

size_t OutputGate::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_ + on_the_way_;
}

}  // namespace wsfleet::worker
