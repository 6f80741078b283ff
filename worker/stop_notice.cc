#include "worker/stop_notice.h"

namespace wsfleet::worker {

void StopNotice::Set(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!why_) why_ = why;
  }
  set_.notify_all();
}

std::optional<std::string> StopNotice::WaitFor(std::chrono::milliseconds limit) const {
  std::unique_lock<std::mutex> lock(mutex_);
  set_.wait_for(lock, limit, [this] { return why_.has_value(); });
  return why_;
}

}  // namespace wsfleet::worker
