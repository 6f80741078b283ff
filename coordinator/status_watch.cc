#include "coordinator/status_watch.h"

namespace wsfleet::coordinator {

void StatusWatch::Publish(const v1::RunStatus& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (reactor_ != nullptr) reactor_->Offer(status);
}

bool StatusWatch::alive() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reactor_ != nullptr;
}

StatusWatchReactor::StatusWatchReactor() { watch_->reactor_ = this; }

void StatusWatchReactor::Offer(const v1::RunStatus& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return;
  if (write_in_flight_) {
    next_ = status;
    return;
  }
  writing_ = status;
  write_in_flight_ = true;
  StartWrite(&writing_);
}

void StatusWatchReactor::OnWriteDone(bool ok) {
  std::lock_guard<std::mutex> lock(mutex_);
  write_in_flight_ = false;
  if (!ok) {
    if (!finished_) {
      finished_ = true;
      Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    }
    return;
  }
  if (writing_.done()) {
    if (!finished_) {
      finished_ = true;
      Finish(grpc::Status::OK);
    }
    return;
  }
  if (next_) {
    writing_ = std::move(*next_);
    next_.reset();
    write_in_flight_ = true;
    StartWrite(&writing_);
  }
}

void StatusWatchReactor::OnCancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!finished_) {
    finished_ = true;
    Finish(grpc::Status::CANCELLED);
  }
}

void StatusWatchReactor::OnDone() {
  {
    std::lock_guard<std::mutex> lock(watch_->mutex_);
    watch_->reactor_ = nullptr;
  }
  delete this;
}

void StatusWatchers::Publish(const v1::RunStatus& status) {
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (!it->first->alive()) {
      it = watches_.erase(it);
      continue;
    }
    if (it->second.empty() || it->second == status.plan_id()) it->first->Publish(status);
    ++it;
  }  for (const Callback& callback : local_) callback(status);
}

}  // namespace wsfleet::coordinator
