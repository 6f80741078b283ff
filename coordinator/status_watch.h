#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "wsfleet/v1/control.pb.h"

namespace wsfleet::coordinator {

class StatusWatchReactor;

// The loop's side of one `WatchStatus` stream. Publish() keeps only the newest status if
// the client is slow: watchers want the present, not every step. Thread-safe.
class StatusWatch {
 public:
  void Publish(const v1::RunStatus& status);
  bool alive() const;

 private:
  friend class StatusWatchReactor;
  mutable std::mutex mutex_;
  StatusWatchReactor* reactor_ = nullptr;
};

// Writes RunStatus messages; finishes after writing one that says the run is done.
class StatusWatchReactor : public grpc::ServerWriteReactor<v1::RunStatus> {
 public:
  StatusWatchReactor();
  std::shared_ptr<StatusWatch> watch() const { return watch_; }

  void OnWriteDone(bool ok) override;
  void OnDone() override;
  void OnCancel() override;

 private:
  friend class StatusWatch;
  void Offer(const v1::RunStatus& status);  // under watch_->mutex_

  std::shared_ptr<StatusWatch> watch_ = std::make_shared<StatusWatch>();
  std::mutex mutex_;
  std::optional<v1::RunStatus> next_;
  v1::RunStatus writing_;
  bool write_in_flight_ = false;
  bool finished_ = false;
};

// All open watches. Loop thread only.
class StatusWatchers {
 public:
  using Callback = std::function<void(const v1::RunStatus&)>;
  // A watch of one plan's status (`plan_id`; empty: of whichever plan publishes).
  void Add(std::shared_ptr<StatusWatch> watch, std::string plan_id = "") {
    watches_.emplace(std::move(watch), std::move(plan_id));
  }
  // An in-process watcher (`wsfleet run`): called on the loop thread with each new status.
  void AddLocal(Callback callback) { local_.push_back(std::move(callback)); }
  void Publish(const v1::RunStatus& status);
  bool empty() const { return watches_.empty() && local_.empty(); }

 private:
  std::map<std::shared_ptr<StatusWatch>, std::string> watches_;  // → the plan watched
  std::vector<Callback> local_;
};

}  // namespace wsfleet::coordinator
