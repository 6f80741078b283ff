#include "coordinator/ready_queue.h"

#include <tuple>

namespace wsfleet::coordinator {

bool ReadyQueue::Key::operator<(const Key& other) const {
  return std::make_tuple(priority, soft_waiting, -remaining_days, id_number, index) <
         std::make_tuple(other.priority, other.soft_waiting, -other.remaining_days, other.id_number, other.index);
}

void ReadyQueue::Add(const Key& key) {
  Remove(key.index);
  order_.insert(key);
  keys_.emplace(key.index, key);
}

void ReadyQueue::Remove(int index) {
  auto found = keys_.find(index);
  if (found == keys_.end()) return;
  if (parked_.erase(index) == 0) order_.erase(found->second);
  keys_.erase(found);
}

void ReadyQueue::Park(int index) {
  auto found = keys_.find(index);
  if (found == keys_.end() || !parked_.insert(index).second) return;
  order_.erase(found->second);
}

void ReadyQueue::UnparkAll() {
  for (int index : parked_) order_.insert(keys_.at(index));
  parked_.clear();
}

std::vector<ReadyQueue::Key> ReadyQueue::Page(const std::optional<Key>& after, size_t count) const {
  std::vector<Key> page;
  for (auto it = after ? order_.upper_bound(*after) : order_.begin(); it != order_.end() && page.size() < count; ++it) {
    page.push_back(*it);
  }
  return page;
}

std::vector<int> ReadyQueue::InOrder() const {
  std::vector<int> indices;
  indices.reserve(order_.size());
  for (const Key& key : order_) indices.push_back(key.index);
  return indices;
}

}  // namespace wsfleet::coordinator
