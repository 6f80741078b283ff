#include "ui/live_feed.h"

namespace wsfleet::ui {

void LiveFeed::Publish(const v1::RunStatus& status) {
  auto copy = std::make_shared<const v1::RunStatus>(status);
  {
    std::lock_guard lock(mutex_);
    Latest& latest = plans_[status.plan_id()];
    ++latest.count;
    latest.status = std::move(copy);
  }
  changed_.notify_all();
}

std::shared_ptr<const v1::RunStatus> LiveFeed::WaitNewer(const std::string& plan_id, uint64_t* seen,
                                                         std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  bool newer = changed_.wait_until(lock, until, [&] {
    if (stopped_) return true;
    auto found = plans_.find(plan_id);
    return found != plans_.end() && found->second.count > *seen;
  });
  if (!newer || stopped_) return nullptr;
  const Latest& latest = plans_.at(plan_id);
  *seen = latest.count;
  return latest.status;
}

bool LiveFeed::PauseUntil(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  return !changed_.wait_until(lock, until, [&] { return stopped_; });
}

void LiveFeed::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool LiveFeed::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

}  // namespace wsfleet::ui
