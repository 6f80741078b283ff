#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "common/clock.h"
#include "wsfleet/v1/types.pb.h"

namespace wsfleet::worker {

// The worker's flow control for events on their way to the coordinator. Events wait up to
// `hold` to go out together (a short step's start, output and end in one message, one
// transaction and one acknowledgement); an attempt's end, a merge request, a rendezvous
// value or `hold_bytes` of output make the next flush due at once. At most `window_bytes`
// are in flight unacknowledged; the rest waits in the outbox until acks make room. A new
// session starts the window over: everything unacknowledged is sent again. Times and the
// hold timer come from `clock`. The worker's loop thread only.
class SendWindow {
 public:
  struct Limits {
    common::Nanos hold = std::chrono::milliseconds(10);
    size_t hold_bytes = size_t{256} << 10;
    size_t window_bytes = size_t{32} << 20;
  };
  // `due` is called when the hold has passed (from the clock's timer).
  SendWindow(common::Clock& clock, Limits limits, std::function<void()> due);
  ~SendWindow();
  SendWindow(const SendWindow&) = delete;
  SendWindow& operator=(const SendWindow&) = delete;

  // An event entered the outbox.
  void Emitted(const v1::Event& event);
  // Whether a flush is due now; taking it clears it (and the hold).
  bool TakeDue();
  bool has_room() const { return in_flight_bytes_ < limits_.window_bytes; }
  // The last sequence number of `attempt` sent this session (0: none).
  uint64_t SentUpTo(const std::string& attempt) const;
  // `event` of `attempt` went out.
  void Sent(const std::string& attempt, const v1::Event& event);
  // After a flush: whether it stopped for want of room (then an ack makes the next due).
  void FlushEnded() { window_full_ = !has_room(); }
  // The coordinator stored `attempt`'s events up to `seq`; returns how many that released.
  size_t Acked(const std::string& attempt, uint64_t seq);
  // `attempt` is done with (rejected, reaped): nothing of it is in flight any more.
  void Forget(const std::string& attempt);
  // A session ended or began: nothing is in flight; on a new one all is sent again.
  void Restart();
  size_t in_flight_bytes() const { return in_flight_bytes_; }

 private:
  common::Clock& clock_;
  Limits limits_;
  std::function<void()> due_callback_;
  bool due_ = false;
  bool window_full_ = false;
  size_t held_bytes_ = 0;
  common::TimerId hold_timer_ = 0;
  std::map<std::string, std::deque<std::pair<uint64_t, size_t>>> in_flight_;  // (seq, bytes)
  std::map<std::string, uint64_t> sent_seq_;
  size_t in_flight_bytes_ = 0;
};

}  // namespace wsfleet::worker
