#include "worker/send_window.h"

namespace wsfleet::worker {

SendWindow::SendWindow(common::Clock& clock, Limits limits, std::function<void()> due)
    : clock_(clock), limits_(limits), due_callback_(std::move(due)) {}

SendWindow::~SendWindow() {
  if (hold_timer_ != 0) clock_.CancelTimer(hold_timer_);
}

void SendWindow::Emitted(const v1::Event& event) {
  bool urgent = event.has_finished() || event.has_merge_request() || event.has_rendezvous_put();
  held_bytes_ += event.has_log() ? event.log().data().size() : 64;
  if (urgent || held_bytes_ >= limits_.hold_bytes) {
    due_ = true;
  } else if (hold_timer_ == 0) {
    hold_timer_ = clock_.RunAfter(limits_.hold, [this] {
      hold_timer_ = 0;
      due_ = true;
      due_callback_();
    });
  }
}

bool SendWindow::TakeDue() {
  if (!due_) return false;
  due_ = false;
  held_bytes_ = 0;
  if (hold_timer_ != 0) clock_.CancelTimer(hold_timer_);
  hold_timer_ = 0;
  return true;
}

uint64_t SendWindow::SentUpTo(const std::string& attempt) const {
  auto found = sent_seq_.find(attempt);
  return found == sent_seq_.end() ? 0 : found->second;
}

void SendWindow::Sent(const std::string& attempt, const v1::Event& event) {
  size_t bytes = event.ByteSizeLong();
  in_flight_[attempt].emplace_back(event.seq(), bytes);
  in_flight_bytes_ += bytes;
  uint64_t& sent = sent_seq_[attempt];
  sent = std::max(sent, event.seq());
}

size_t SendWindow::Acked(const std::string& attempt, uint64_t seq) {
  size_t released = 0;
  auto found = in_flight_.find(attempt);
  if (found != in_flight_.end()) {
    while (!found->second.empty() && found->second.front().first <= seq) {
      in_flight_bytes_ -= found->second.front().second;
      found->second.pop_front();
      ++released;
    }
    if (found->second.empty()) in_flight_.erase(found);
  }
  if (window_full_ && has_room()) due_ = true;  // the window has room again
  return released;
}

void SendWindow::Forget(const std::string& attempt) {
  Acked(attempt, UINT64_MAX);
  sent_seq_.erase(attempt);
}

void SendWindow::Restart() {
  in_flight_.clear();
  sent_seq_.clear();
  in_flight_bytes_ = 0;
  window_full_ = false;
  due_ = true;
}

}  // namespace wsfleet::worker
