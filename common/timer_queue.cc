#include "common/timer_queue.h"

namespace wsfleet::common {

TimerId TimerQueue::Add(SteadyTime deadline, std::function<void()> callback) {
  TimerId id = next_id_++;
  timers_.emplace(std::make_pair(deadline, id), std::move(callback));
  deadlines_.emplace(id, deadline);
  return id;
}

void TimerQueue::Cancel(TimerId id) {
  auto found = deadlines_.find(id);
  if (found == deadlines_.end()) return;
  timers_.erase({found->second, id});
  deadlines_.erase(found);
}

std::optional<SteadyTime> TimerQueue::NextDeadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

std::optional<std::function<void()>> TimerQueue::PopDue(SteadyTime now) {
  if (timers_.empty() || timers_.begin()->first.first > now) return std::nullopt;
  auto first = timers_.begin();
  std::function<void()> callback = std::move(first->second);
  deadlines_.erase(first->first.second);
  timers_.erase(first);
  return callback;
}

}  // namespace wsfleet::common
