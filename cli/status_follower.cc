#include "cli/status_follower.h"

namespace wsfleet::cli {

void StatusFollower::Offer(const v1::RunStatus& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  latest_ = status;
  news_ = true;
  changed_.notify_all();
}

void StatusFollower::Wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  news_ = true;
  changed_.notify_all();
}

std::optional<v1::RunStatus> StatusFollower::Take() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<v1::RunStatus> taken = std::move(latest_);
  latest_.reset();
  return taken;
}

bool StatusFollower::WaitUntil(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  bool news = changed_.wait_until(lock, deadline, [this] { return news_; });
  news_ = false;
  return news;
}

}  // namespace wsfleet::cli
