#include "coordinator/merge_queue.h"

#include <algorithm>

namespace wsfleet::coordinator {

std::optional<std::string> MergeQueue::Request(const std::string& attempt) {
  if (holder_ == attempt || std::find(waiting_.begin(), waiting_.end(), attempt) != waiting_.end()) {
    return std::nullopt;
  }
  waiting_.push_back(attempt);
  return Grant();
}

std::optional<std::string> MergeQueue::End(const std::string& attempt) {
  std::erase(waiting_, attempt);
  if (holder_ != attempt) return std::nullopt;
  holder_.clear();
  return Grant();
}

void MergeQueue::Clear() {
  waiting_.clear();
  holder_.clear();
}

std::optional<std::string> MergeQueue::Grant() {
  if (!holder_.empty() || waiting_.empty()) return std::nullopt;
  auto next = std::min_element(waiting_.begin(), waiting_.end(), before_);
  holder_ = *next;
  waiting_.erase(next);
  return holder_;
}

std::string MergeQueue::StateOf(const std::string& attempt) const {
  if (attempt.empty()) return "";
  if (attempt == holder_) return "merging";
  if (std::find(waiting_.begin(), waiting_.end(), attempt) == waiting_.end()) return "";
  size_t ahead = holder_.empty() ? 0 : 1;
  for (const std::string& other : waiting_) {
    if (other != attempt && before_(other, attempt)) ++ahead;
  }
  return "waiting to merge (" + std::to_string(ahead) + " ahead)";
}

}  // namespace wsfleet::coordinator
