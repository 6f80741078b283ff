#include "worker/output_tail.h"

namespace wsfleet::worker {

void OutputTail::Add(OutputStream stream, std::string_view data) {
  if (data.size() >= limit_) {
    dropped_ += size_ + (data.size() - limit_);
    pieces_.clear();
    size_ = 0;
    data = data.substr(data.size() - limit_);
    if (data.empty()) return;
  }
  if (!pieces_.empty() && pieces_.back().first == stream) {
    pieces_.back().second.append(data);
  } else {
    pieces_.emplace_back(stream, std::string(data));
  }
  size_ += data.size();
  while (size_ > limit_) {
    std::string& oldest = pieces_.front().second;
    size_t cut = std::min(oldest.size(), size_ - limit_);
    oldest.erase(0, cut);
    size_ -= cut;
    dropped_ += cut;
    if (oldest.empty()) pieces_.pop_front();
  }
}

std::deque<std::pair<OutputStream, std::string>> OutputTail::Take() {
  size_ = 0;
  return std::exchange(pieces_, {});
}

}  // namespace wsfleet::worker
