#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace wsfleet::coordinator {

// The merge queue: attempts whose work passed in their worktree merge into the plan's
// integration branch one at a time. Dependencies merge first by construction (a workstream
// starts only after its dependencies merged); among the waiting, `before` (the scheduling
// order: priority, remaining critical path, ID) decides. Git's compare-and-swap on the
// integration branch keeps merges correct even if two ever overlap; the queue keeps them
// in order and out of each other's way. Loop thread only.
class MergeQueue {
 public:
  // Whether attempt `a` merges before attempt `b`.
  using Before = std::function<bool(const std::string& a, const std::string& b)>;
  explicit MergeQueue(Before before) : before_(std::move(before)) {}

  // An attempt asks for its turn (again: no change). Returns the attempt given the turn
  // now, if one is.
  std::optional<std::string> Request(const std::string& attempt);
  // An attempt ended, however it ended: it leaves the queue, and if it held the turn the
  // next gets it (returned).
  std::optional<std::string> End(const std::string& attempt);
  void Clear();

  const std::string& holder() const { return holder_; }
  size_t length() const { return waiting_.size() + (holder_.empty() ? 0 : 1); }
  // "merging", "waiting to merge (N ahead)", or empty when the attempt is not in the queue.
  std::string StateOf(const std::string& attempt) const;

 private:
  std::optional<std::string> Grant();

  Before before_;
  std::vector<std::string> waiting_;
  std::string holder_;
};

}  // namespace wsfleet::coordinator
