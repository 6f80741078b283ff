#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wsfleet::coordinator {

// Ready workstreams in dispatch order: priority (P0 first, unset last), then those whose
// soft dependencies are not ready or running (a soft dependency orders, never waits), then
// the longest remaining critical path, then ID. Loop thread only.
class ReadyQueue {
 public:
  struct Key {
    int priority = 0;
    double remaining_days = 0;
    int id_number = 0;
    int index = 0;  // into the plan's workstreams
    bool soft_waiting = false;  // a soft dependency is ready or running
    bool operator<(const Key& other) const;
  };

  void Add(const Key& key);  // in the dispatch order (again, if it was parked)
  void Remove(int index);
  // Out of the dispatch order, still ready, until UnparkAll: work no worker in the fleet
  // can run now, which rounds need not walk again until the fleet changes.
  void Park(int index);
  void UnparkAll();
  size_t parked() const { return parked_.size(); }
  bool Contains(int index) const { return keys_.count(index) > 0; }
  bool empty() const { return order_.empty(); }  // of what may be dispatched
  size_t size() const { return order_.size(); }
  std::vector<int> InOrder() const;
  // Every ready index, parked or not, in no order.
  template <typename F>
  void ForEachReady(F f) const {
    for (const auto& [index, key] : keys_) f(index);
  }
  // Up to `count` keys in order after `after` (from the front without one): a dispatch
  // round walks the queue a page at a time and stops when no worker has room, so its work
  // follows the free slots, not the queue's length. Keys may move between pages (a soft
  // dependency started): one may then be seen twice or not at all in that round.
  std::vector<Key> Page(const std::optional<Key>& after, size_t count) const;

 private:
  std::set<Key> order_;                // not parked
  std::unordered_map<int, Key> keys_;  // every ready index, parked or not
  std::unordered_set<int> parked_;
};

}  // namespace wsfleet::coordinator
